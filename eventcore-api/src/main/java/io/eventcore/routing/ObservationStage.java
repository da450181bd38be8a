package io.eventcore.routing;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Outermost stage: records each dispatch's outcome and duration. */
final class ObservationStage implements Stage {
    static final String UNKNOWN_TYPE = "unknown";

    private final EventMetrics metrics;

    ObservationStage(EventMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        long start = System.nanoTime();
        return next.proceed(exchange).whenComplete((r, t) -> {
            if (r != null && r.done() != null) {
                metrics.dispatched(exchange.type() != null ? exchange.type() : UNKNOWN_TYPE, r.done().outcome(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
        });
    }
}
