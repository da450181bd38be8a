package io.eventcore.transport.internal;

import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.InboundMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API. Turns a dispatch result into "may acknowledge" for a transport: completes
 * normally when the message may be acknowledged, exceptionally when it must not be (consumer
 * closing, or a fatal error: {@link FatalDispatchException}). {@code FAILED} outcomes are retried
 * with back-off on the timer (never on the transport's I/O thread): a pending dead letter is
 * re-written without re-running the handler, anything else is re-dispatched.
 */
public final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);

    /** Transport-specific redelivery of a {@code RETRY_LATER} message (e.g. to a retry topic). */
    @FunctionalInterface
    public interface Redeliverer {
        /**
         * @param message the message
         * @param result its {@code RETRY_LATER} result
         * @return completes once the copy is durably stored
         */
        CompletionStage<Void> redeliver(InboundMessage message, DispatchResult result);
    }

    /** Told when a message starts and stops blocking its partition (to pause and resume it). */
    public interface BlockListener {
        /** @param message the message that keeps failing */
        void blocked(InboundMessage message);

        /** @param message the message that is resolved */
        void unblocked(InboundMessage message);
    }

    /** A handler threw an {@link Error}: the transport must stop without acknowledging. */
    public static final class FatalDispatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FatalDispatchException(Throwable error) {
            super("fatal error while handling a message", error);
        }
    }

    private final EventRouter router;
    private final ScheduledExecutorService timer;
    private final BooleanSupplier running;
    private final Redeliverer redeliverer;
    private final BlockListener blocks;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    /**
     * @param router the router that dispatched
     * @param timer runs back-off delays
     * @param running whether the transport is still running
     * @param redeliverer stores {@code RETRY_LATER} copies
     * @param blocks told when a message blocks its partition
     * @param firstBackoff first back-off of a {@code FAILED} retry
     * @param maxBackoff cap of the back-off
     */
    public Settlement(EventRouter router, ScheduledExecutorService timer, BooleanSupplier running,
            Redeliverer redeliverer, BlockListener blocks, Duration firstBackoff, Duration maxBackoff) {
        this.router = router;
        this.timer = timer;
        this.running = running;
        this.redeliverer = redeliverer;
        this.blocks = blocks;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Dispatches a message and settles the result.
     *
     * @param message the message
     * @return completes normally once the message may be acknowledged
     */
    public CompletionStage<Void> process(InboundMessage message) {
        return router.dispatch(message).thenCompose(r -> settle(message, r, firstBackoff, false));
    }

    private CompletionStage<Void> settle(InboundMessage message, DispatchResult result, Duration backoff,
            boolean blocked) {
        switch (result.outcome()) {
            case SUCCEEDED, SKIPPED, DEAD_LETTERED:
                return unblock(message, blocked, CompletableFuture.completedFuture(null));
            case RETRY_LATER:
                return redeliverer.redeliver(message, result).handle((ok, failure) -> {
                    if (failure == null) {
                        return unblock(message, blocked, CompletableFuture.<Void>completedFuture(null));
                    }
                    log.warn("could not store redelivery of {}: {}; retrying", message, failure.toString());
                    return retryAfter(message, backoff, blocked, () -> settle(message, result, next(backoff), true));
                }).thenCompose(s -> s);
            default:
                break;
        }
        if (result.fatal()) {
            return CompletableFuture.failedFuture(new FatalDispatchException(result.failure().orElse(null)));
        }
        if (result.deadLetterPending()) {
            return retryAfter(message, backoff, blocked,
                    () -> settle(message, router.retryDeadLetter(result), next(backoff), true));
        }
        return retryAfter(message, backoff, blocked,
                () -> router.dispatch(message).thenCompose(r -> settle(message, r, next(backoff), true)));
    }

    private CompletionStage<Void> unblock(InboundMessage message, boolean blocked, CompletionStage<Void> done) {
        if (blocked) {
            blocks.unblocked(message);
        }
        return done;
    }

    private CompletionStage<Void> retryAfter(InboundMessage message, Duration backoff, boolean blocked,
            java.util.function.Supplier<CompletionStage<Void>> retry) {
        if (!blocked) {
            blocks.blocked(message);
        }
        CompletableFuture<Void> delay = new CompletableFuture<>();
        try {
            timer.schedule(() -> delay.complete(null), backoff.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException closed) {
            return CompletableFuture.failedFuture(closed);
        }
        return delay.thenCompose(v -> running.getAsBoolean() ? retry.get()
                : CompletableFuture.failedFuture(new IllegalStateException("closed before " + message + " settled")));
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }
}
