package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.EventContext;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.Scheduler;
import io.eventcore.SkipEventException;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attempts (the rest of the chain) until one succeeds or the route's {@link RetryPolicy}
 * gives up. In-place retries wait on the scheduler (no thread sleeps) and then run on the
 * executor; in redeliver mode a failed attempt ends the dispatch with {@code RETRY_LATER}. A
 * thrown {@link Error} ends the dispatch as fatal, never retried and never dead-lettered.
 */
final class RetryStage implements Stage {
    private static final Logger log = LoggerFactory.getLogger(RetryStage.class);

    private final Clock clock;
    private final Scheduler scheduler;
    private final Executor executor;
    private final EventMetrics metrics;
    /** In-place retries waiting for their delay; {@link #close()} ends them as FAILED. */
    private final java.util.Set<CompletableFuture<StageResult>> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    RetryStage(Clock clock, Scheduler scheduler, Executor executor, EventMetrics metrics) {
        this.clock = clock;
        this.scheduler = scheduler;
        this.executor = executor;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        Route<?> route = exchange.route();
        int firstAttempt = 1;
        Instant firstFailure = null;
        if (route.retry.mode() == RetryMode.REDELIVER) {
            firstAttempt = redeliveredAttempt(exchange.message());
            firstFailure = IsoInstants.parse(exchange.message().rawHeader(EventHeaders.FIRST_FAILURE_AT));
        }
        EventContext context = new EventContext(exchange.message(), route.type, route.name, firstAttempt);
        Exchange first = exchange.withNewAttempt(context);
        if (first.slot() != null) {
            // A batch member's first attempt is its share of the batch call: no timeout, no middleware around it.
            CompletableFuture<StageResult> inBatch = first.slot().arrive(first);
            if (inBatch != null) {
                Instant since = firstFailure;
                return inBatch.thenCompose(r -> afterAttempt(first, next, since, r));
            }
            return attempt(exchange.withRetryAttempt(context), next, firstFailure);
        }
        return attempt(first, next, firstFailure);
    }

    private CompletionStage<StageResult> attempt(Exchange x, Next next, Instant firstFailure) {
        CompletableFuture<StageResult> result = Stage.own(next.proceed(x));
        if (Stage.settled(result)) {
            return afterAttempt(x, next, firstFailure, result.join());
        }
        return result.thenCompose(r -> afterAttempt(x, next, firstFailure, r));
    }

    private CompletionStage<StageResult> afterAttempt(Exchange x, Next next, Instant firstFailure, StageResult r) {
        if (r.failure() != null && x.attempt() != null) {
            x.attempt().fail(); // before the next attempt: what this one sent is not part of the outcome
        }
        if (r.done() != null) {
            return r.stage();
        }
        if (BatchCall.notAttempted(r.failure())) {
            return StageResult.done(BatchCall.NOT_ATTEMPTED).stage();
        }
        if (r.failure() instanceof SkipEventException skip) {
            return StageResult.done(DispatchResult.skipped(skip)).stage();
        }
        return r.failure() == null ? StageResult.succeeded(x.context().attempt()).stage()
                : afterFailure(x, next, firstFailure, r.failure());
    }

    private CompletionStage<StageResult> afterFailure(Exchange x, Next next, Instant firstFailure,
            Throwable failure) {
        Route<?> route = x.route();
        // The exchange's own id and type: a raw route has no event, and a typed one's are the same.
        String id = x.eventId();
        String type = route.type;
        int attempt = x.context().attempt();
        if (failure instanceof Error error) {
            log.error("handler {} threw a fatal error for event {} ({}); not acknowledging it", route.name,
                    id, type, error);
            return CompletableFuture.completedFuture(StageResult.done(DispatchResult.fatal(attempt, error)));
        }
        Instant now = clock.now();
        Instant first = firstFailure != null ? firstFailure : now;
        RetryPolicy policy = route.retry;
        Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
        if (!policy.shouldRetry(failure, attempt, Duration.between(first, now), delay)) {
            return CompletableFuture.completedFuture(StageResult.gaveUp(failure, attempt, first, now));
        }
        metrics.retried(type, attempt);
        x.observed().retried(attempt, failure);
        // One line per retry, no stack trace: the final failure is logged in full once.
        log.warn("attempt {}/{} of {} failed for event {} ({}): {}; retrying in {} ms", attempt,
                policy.maxAttempts(), route.name, id, type, failure.toString(), delay.toMillis());
        if (policy.mode() == RetryMode.REDELIVER) {
            return CompletableFuture.completedFuture(
                    StageResult.done(DispatchResult.retryLater(delay, attempt, failure, first)));
        }
        Exchange again = x.withRetryAttempt(x.context().withAttempt(attempt + 1));
        if (delay.isZero()) {
            return attempt(again, next, first);
        }
        CompletableFuture<StageResult> later = new CompletableFuture<>();
        waiting.add(later);
        later.whenComplete((r, t) -> waiting.remove(later));
        try {
            scheduler.schedule(() -> {
                if (closed) {
                    return; // close() has ended it as FAILED already
                }
                try {
                    executor.execute(() -> attemptLater(again, next, first, later));
                } catch (RejectedExecutionException rejected) {
                    later.complete(StageResult.done(DispatchResult.failed(attempt, rejected)));
                }
            }, delay);
        } catch (RejectedExecutionException rejected) {
            later.complete(StageResult.done(DispatchResult.failed(attempt, rejected)));
        }
        if (closed) {
            endAsFailed(later);
        }
        return later;
    }

    private void attemptLater(Exchange again, Next next, Instant first, CompletableFuture<StageResult> later) {
        CompletionStage<StageResult> result;
        try {
            result = attempt(again, next, first);
        } catch (Throwable t) {
            // A synchronous attempt that throws (a failing retry predicate, say) must still end the dispatch.
            result = CompletableFuture.failedFuture(t);
        }
        result.whenComplete((r, t) -> {
            if (t != null) {
                later.completeExceptionally(t);
            } else {
                later.complete(r);
            }
        });
    }

    /**
     * Ends every in-place retry still waiting for its delay as FAILED (the message stays
     * unacknowledged), and any scheduled later.
     */
    void close() {
        closed = true;
        waiting.forEach(RetryStage::endAsFailed);
    }

    private static void endAsFailed(CompletableFuture<StageResult> later) {
        later.complete(StageResult.done(DispatchResult.failed(0,
                new RejectedExecutionException("the router was closed while a retry was waiting"))));
    }

    private static int redeliveredAttempt(InboundMessage message) {
        String header = message.header(EventHeaders.ATTEMPT);
        if (header == null) {
            return 1;
        }
        try {
            return Math.max(1, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
