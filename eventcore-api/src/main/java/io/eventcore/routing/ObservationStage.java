package io.eventcore.routing;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Outermost stage: records each dispatch's outcome and duration. */
final class ObservationStage {
    static final String UNKNOWN_TYPE = "unknown";

    private final EventMetrics metrics;

    ObservationStage(EventMetrics metrics) {
        this.metrics = metrics;
    }

    CompletionStage<DispatchResult> observe(String eventType, long startNanos, CompletionStage<DispatchResult> result) {
        return result.whenComplete((r, t) -> {
            if (r != null) {
                metrics.dispatched(eventType, r.outcome(), Duration.ofNanos(System.nanoTime() - startNanos));
            }
        });
    }
}
