package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.Scheduler;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs attempts until one succeeds or the route's {@link RetryPolicy} gives up. In-place retries
 * wait on the scheduler (no thread sleeps) and then run on the executor; in redeliver mode a
 * failed attempt ends the dispatch with {@code RETRY_LATER}.
 */
final class RetryStage {
    private static final Logger log = LoggerFactory.getLogger(RetryStage.class);

    /** Either a final result, or the failure that exhausted the policy (for the dead-letter stage). */
    record Result(DispatchResult done, Throwable failure, int attempts, Instant firstFailureAt, Instant lastFailureAt) {
        static Result done(DispatchResult result) {
            return new Result(result, null, result.attempts(), null, null);
        }
    }

    private final AttemptInvoker invoker;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Executor executor;
    private final EventMetrics metrics;

    RetryStage(AttemptInvoker invoker, Clock clock, Scheduler scheduler, Executor executor, EventMetrics metrics) {
        this.invoker = invoker;
        this.clock = clock;
        this.scheduler = scheduler;
        this.executor = executor;
        this.metrics = metrics;
    }

    CompletionStage<Result> run(Route<?> route, Event<?> event, InboundMessage message) {
        int firstAttempt = 1;
        Instant firstFailure = null;
        if (route.retry.mode() == RetryMode.REDELIVER) {
            firstAttempt = redeliveredAttempt(message);
            firstFailure = parseInstant(message.header(EventHeaders.FIRST_FAILURE_AT));
        }
        return attempt(route, event, new EventContext(message, route.type, route.name, firstAttempt), firstFailure);
    }

    private CompletionStage<Result> attempt(Route<?> route, Event<?> event, EventContext context,
            Instant firstFailure) {
        return invoker.invoke(route, event, context).handle((ok, thrown) -> {
            if (thrown == null) {
                return CompletableFuture.completedFuture(Result.done(DispatchResult.succeeded(context.attempt())));
            }
            return afterFailure(route, event, context, firstFailure, unwrap(thrown));
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<Result> afterFailure(Route<?> route, Event<?> event, EventContext context,
            Instant firstFailure, Throwable failure) {
        int attempt = context.attempt();
        if (failure instanceof Error error) {
            log.error("handler {} threw a fatal error for event {} ({}); not acknowledging it", route.name,
                    event.id(), event.type(), error);
            return CompletableFuture.completedFuture(Result.done(DispatchResult.fatal(attempt, error)));
        }
        Instant now = clock.now();
        Instant first = firstFailure != null ? firstFailure : now;
        RetryPolicy policy = route.retry;
        Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
        if (!policy.shouldRetry(failure, attempt, Duration.between(first, now), delay)) {
            return CompletableFuture.completedFuture(new Result(null, failure, attempt, first, now));
        }
        metrics.retried(event.type(), attempt);
        // One line per retry, no stack trace: the final failure is logged in full once.
        log.warn("attempt {}/{} of {} failed for event {} ({}): {}; retrying in {} ms", attempt,
                policy.maxAttempts(), route.name, event.id(), event.type(), failure.toString(), delay.toMillis());
        if (policy.mode() == RetryMode.REDELIVER) {
            return CompletableFuture.completedFuture(
                    Result.done(DispatchResult.retryLater(delay, attempt, failure, first)));
        }
        EventContext next = context.withAttempt(attempt + 1);
        if (delay.isZero()) {
            return attempt(route, event, next, first);
        }
        CompletableFuture<Result> later = new CompletableFuture<>();
        scheduler.schedule(() -> {
            try {
                executor.execute(() -> attempt(route, event, next, first).whenComplete((r, t) -> {
                    if (t != null) {
                        later.completeExceptionally(t);
                    } else {
                        later.complete(r);
                    }
                }));
            } catch (RejectedExecutionException closed) {
                later.complete(Result.done(DispatchResult.failed(attempt, closed)));
            }
        }, delay);
        return later;
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
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

    static Instant parseInstant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
