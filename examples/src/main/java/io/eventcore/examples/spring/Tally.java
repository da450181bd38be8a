package io.eventcore.examples.spring;

import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Counts what the router did, for the example's progress lines and summary: an {@link EventMetrics} bean,
 * which the starter gives the router. Thread-safe.
 */
@Component
public class Tally implements EventMetrics {
    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger deadLettered = new AtomicInteger();

    Tally() {
    }

    @Override
    public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
        if (outcome == DispatchOutcome.SUCCEEDED) {
            handled.incrementAndGet();
        }
    }

    @Override
    public void deadLettered(String eventType, String exceptionClass) {
        deadLettered.incrementAndGet();
    }

    /** @return dispatches a handler completed */
    public int handled() {
        return handled.get();
    }

    /** @return messages a dead-letter sink accepted */
    public int deadLettered() {
        return deadLettered.get();
    }
}
