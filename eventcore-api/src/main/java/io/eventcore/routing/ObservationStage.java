package io.eventcore.routing;

import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Outermost stage: records each dispatch's outcome and duration, and observes it as one {@code process}
 * operation of the {@link EventInstrumentation} (current on the dispatching thread while the first attempt
 * runs; retries become its events). Left out of the chain when neither records anything.
 */
final class ObservationStage implements Stage {
    /** The type reported for messages no route handles: unresolved or unrouted types share it. */
    static final String UNKNOWN_TYPE = "_unknown";
    /** The outcomes' tag values, computed once. */
    private static final String[] OUTCOMES = outcomeNames();

    private final EventMetrics metrics;
    private final EventInstrumentation instrumentation;

    ObservationStage(EventMetrics metrics, EventInstrumentation instrumentation) {
        this.metrics = metrics;
        this.instrumentation = instrumentation;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        long start = System.nanoTime();
        Observed observed = instrumentation.process(exchange.message(),
                exchange.route() != null ? exchange.type() : null);
        Exchange observedExchange = observed == Observed.NONE ? exchange : exchange.withObserved(observed);
        CompletableFuture<StageResult> result;
        Observed.Scope scope = observed.openScope();
        try {
            result = Stage.own(next.proceed(observedExchange));
        } catch (RuntimeException | Error e) {
            observed.stop("failed", e);
            throw e;
        } finally {
            scope.close();
        }
        if (Stage.settled(result)) {
            record(exchange, observed, result.join(), null, start);
            return result;
        }
        return result.whenComplete((r, t) -> record(exchange, observed, r, t, start));
    }

    private void record(Exchange exchange, Observed observed, StageResult r, Throwable t, long start) {
        if (r != null && r.done() == BatchCall.NOT_ATTEMPTED) {
            observed.stop("not_attempted", null); // dispatched again: that dispatch is the one counted
        } else if (r != null && r.done() != null) {
            DispatchResult done = r.done();
            metrics.dispatched(exchange.route() != null ? exchange.type() : UNKNOWN_TYPE, done.outcome(),
                    Duration.ofNanos(System.nanoTime() - start));
            if (observed != Observed.NONE) {
                observed.stop(OUTCOMES[done.outcome().ordinal()], done.failure().orElse(null));
            }
        } else {
            observed.stop("failed", t);
        }
    }

    private static String[] outcomeNames() {
        DispatchOutcome[] values = DispatchOutcome.values();
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            names[i] = values[i].name().toLowerCase(Locale.ROOT);
        }
        return names;
    }
}
