package io.eventcore.routing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Outermost stage: records each dispatch's outcome and duration. Left out of the chain when the
 * metrics record nothing.
 */
final class ObservationStage implements Stage {
    static final String UNKNOWN_TYPE = "unknown";

    private final EventMetrics metrics;

    ObservationStage(EventMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        long start = System.nanoTime();
        CompletableFuture<StageResult> result = Stage.own(next.proceed(exchange));
        if (Stage.settled(result)) {
            record(exchange, result.join(), start);
            return result;
        }
        return result.whenComplete((r, t) -> record(exchange, r, start));
    }

    private void record(Exchange exchange, StageResult r, long start) {
        if (r != null && r.done() != null) {
            metrics.dispatched(exchange.type() != null ? exchange.type() : UNKNOWN_TYPE, r.done().outcome(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
