package io.eventcore.transport;

import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;

import java.time.Duration;

/**
 * Transport SPI for a running consumer: it reads messages, dispatches them through an
 * {@link EventRouter}, and acknowledges each only after its outcome allows it
 * ({@link DispatchOutcome#acknowledgeable()}), never past an unfinished one.
 */
public interface EventConsumer extends AutoCloseable {
    /** Default timeout of {@link #close()}: 30 seconds. */
    Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Starts consuming on the consumer's own thread(s). May be called once.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start();

    /**
     * Stops fetching, waits up to {@code timeout} for in-flight messages, acknowledges what
     * completed, and releases resources. Unfinished messages stay unacknowledged and are
     * redelivered to the next consumer. Idempotent.
     *
     * @param timeout how long to wait for in-flight work
     */
    void close(Duration timeout);

    /** Closes with {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    default void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /** @return the current health */
    ConsumerHealth health();
}
