package io.eventcore.routing;

import io.eventcore.HandlerTimeoutException;
import io.eventcore.Scheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Bounds one attempt by the route's timeout. A synchronous handler has completed when the chain
 * returns, so the hot path schedules nothing; a still-pending attempt fails with a retryable
 * {@link HandlerTimeoutException} when the timer fires first.
 */
final class TimeoutStage implements Stage {
    private final Scheduler scheduler;

    TimeoutStage(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        CompletableFuture<StageResult> inner = Stage.own(next.proceed(exchange));
        if (inner.isDone()) {
            return inner;
        }
        CompletableFuture<StageResult> bounded = new CompletableFuture<>();
        inner.whenComplete((r, t) -> bounded.complete(r != null ? r : StageResult.attemptFailed(t)));
        Route<?> route = exchange.route();
        Scheduler.Cancellable timer;
        try {
            timer = scheduler.schedule(() -> bounded.complete(StageResult.attemptFailed(
                    new HandlerTimeoutException(route.name, route.timeout, exchange.eventId(), route.type))),
                    route.timeout);
        } catch (RejectedExecutionException closed) {
            // The router was closed: nothing bounds this attempt any more, so it must not be acknowledged.
            bounded.complete(StageResult.done(DispatchResult.failed(exchange.context().attempt(), closed)));
            return bounded;
        }
        bounded.whenComplete((r, t) -> timer.cancel());
        return bounded;
    }
}
