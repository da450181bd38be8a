package io.eventcore.spring.boot;

import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** An {@link EventConsumer} that records its lifecycle and reports a settable health. */
public final class RecordingConsumer implements EventConsumer {
    final AtomicReference<String> state = new AtomicReference<>("new");
    final AtomicReference<Duration> closedWith = new AtomicReference<>();
    final AtomicReference<ConsumerHealth> health =
            new AtomicReference<>(new ConsumerHealth(ConsumerHealth.Status.UP, ""));

    @Override
    public void start() {
        state.set("started");
    }

    @Override
    public void close(Duration timeout) {
        if (closedWith.compareAndSet(null, timeout)) {
            state.set("closed");
        }
    }

    @Override
    public ConsumerHealth health() {
        return health.get();
    }
}
