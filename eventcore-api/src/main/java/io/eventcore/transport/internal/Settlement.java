package io.eventcore.transport.internal;

import io.eventcore.InboundMessage;
import io.eventcore.internal.HandlerAttempt;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal, not API. Turns a dispatch result into "may acknowledge" for a transport: completes
 * normally when the message may be acknowledged, exceptionally when it must not be: a fatal error
 * ({@link FatalDispatchException}), or the message is no longer this consumer's to settle
 * ({@link AbandonedException}: closing, or its partition was revoked).
 *
 * <p>There is no silent path: a {@code FAILED} outcome and any exception escaping dispatch or
 * settlement (a codec or sink bug, a redeliverer that throws) are failures of that message. They
 * are logged with its position (the stack once, then at most once a minute with a count), reported
 * to the {@link Lease}, and retried with back-off: a pending dead letter is re-written without
 * re-running the handler, a failed redelivery is re-sent, anything else is re-dispatched. A JVM
 * {@link Error} from anywhere on the path is fatal. Back-offs wait on the timer; the retries run on
 * the retry executor, so one message's slow retry (a blocking dead-letter write) never delays
 * another's.
 */
public final class Settlement {
    private static final Logger log = LoggerFactory.getLogger(Settlement.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

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

    /**
     * The owner of one message's settlement: whether it still owns it, and where its blocking and
     * failures are reported. Called from any thread, one call at a time per message.
     */
    public interface Lease extends BlockListener {
        /** @return whether the message is still the transport's to settle; once false, settlement stops */
        boolean valid();

        /**
         * A failed round of this message, about to be retried after a back-off.
         *
         * @param message the message
         * @param cause the failure
         * @param failures failed rounds so far, from 1
         */
        default void failing(InboundMessage message, Throwable cause, int failures) {
        }
    }

    /** A handler (or anything on the path) threw an {@link Error}: the transport must stop without acknowledging. */
    public static final class FatalDispatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FatalDispatchException(Throwable error) {
            super("fatal error while handling a message", error);
        }
    }

    /** The message is no longer the transport's to settle (closing, or revoked): not acknowledged. */
    public static final class AbandonedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param message what was abandoned */
        public AbandonedException(InboundMessage message) {
            super("no longer owned: " + message, null, false, false);
        }
    }

    private final EventRouter router;
    private final ScheduledExecutorService timer;
    private final Executor retries;
    private final BooleanSupplier running;
    private final Redeliverer redeliverer;
    private final BlockListener blocks;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    /**
     * @param router the router that dispatched
     * @param timer times back-off delays (runs no retry itself)
     * @param retries runs the retries once their back-off has passed
     * @param running whether the transport is still running
     * @param redeliverer stores {@code RETRY_LATER} copies
     * @param firstBackoff first back-off of a {@code FAILED} retry
     * @param maxBackoff cap of the back-off
     */
    public Settlement(EventRouter router, ScheduledExecutorService timer, Executor retries, BooleanSupplier running,
            Redeliverer redeliverer, Duration firstBackoff, Duration maxBackoff) {
        this(router, timer, retries, running, redeliverer, null, firstBackoff, maxBackoff);
    }

    /**
     * Settlement whose {@link #process(InboundMessage)} reports to one listener and retries on
     * the timer thread.
     *
     * @param router the router that dispatched
     * @param timer runs back-off delays and the retries
     * @param running whether the transport is still running
     * @param redeliverer stores {@code RETRY_LATER} copies
     * @param blocks told when a message blocks its partition
     * @param firstBackoff first back-off of a {@code FAILED} retry
     * @param maxBackoff cap of the back-off
     */
    public Settlement(EventRouter router, ScheduledExecutorService timer, BooleanSupplier running,
            Redeliverer redeliverer, BlockListener blocks, Duration firstBackoff, Duration maxBackoff) {
        this(router, timer, timer, running, redeliverer, blocks, firstBackoff, maxBackoff);
    }

    private Settlement(EventRouter router, ScheduledExecutorService timer, Executor retries, BooleanSupplier running,
            Redeliverer redeliverer, BlockListener blocks, Duration firstBackoff, Duration maxBackoff) {
        this.router = router;
        this.timer = timer;
        this.retries = retries;
        this.running = running;
        this.redeliverer = redeliverer;
        this.blocks = blocks;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Dispatches a message and settles the result, reporting to the constructor's listener.
     *
     * @param message the message
     * @return completes normally once the message may be acknowledged
     */
    public CompletionStage<Void> process(InboundMessage message) {
        BlockListener listener = blocks;
        return process(message, new Lease() {
            @Override
            public boolean valid() {
                return true;
            }

            @Override
            public void blocked(InboundMessage m) {
                if (listener != null) {
                    listener.blocked(m);
                }
            }

            @Override
            public void unblocked(InboundMessage m) {
                if (listener != null) {
                    listener.unblocked(m);
                }
            }
        });
    }

    /**
     * Dispatches a message and settles the result while {@code lease} is valid.
     *
     * @param message the message
     * @param lease its owner
     * @return completes normally once the message may be acknowledged
     */
    public CompletionStage<Void> process(InboundMessage message, Lease lease) {
        return new Run(message, lease).attempt(() -> router.dispatch(message), firstBackoff);
    }

    /**
     * Settles consecutive messages of one ordering unit through {@link EventRouter#dispatchBatch}, in order: each
     * message's own settlement as {@link #process(InboundMessage, Lease)} gives it, reported through
     * {@code settled} once per message (its index, and {@code null} or the failure that ended it). Unless
     * {@code ordered}, a message being settled after a failure does not hold back the ones after it.
     *
     * @return completes once every message has been reported
     */
    public CompletionStage<Void> processBatch(List<InboundMessage> messages, List<? extends Lease> leases,
            BatchSettlement.Settled settled, boolean ordered) {
        return new BatchSettlement(this, router, messages, leases, settled, ordered).run();
    }

    /** Settles one message from a result it already has (a batch's first outcome that is not final). */
    CompletionStage<Void> settle(InboundMessage message, Lease lease, DispatchResult result) {
        return new Run(message, lease).attempt(() -> CompletableFuture.completedFuture(result), firstBackoff);
    }

    boolean running() {
        return running.getAsBoolean();
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** The settlement of one message; its steps run one after another. */
    private final class Run {
        private final InboundMessage message;
        private final Lease lease;
        private boolean blocked;
        private int failures;
        private long lastLoggedNanos;

        Run(InboundMessage message, Lease lease) {
            this.message = message;
            this.lease = lease;
        }

        /** Runs one step (a dispatch, a dead-letter write, a stored result) and settles what it yields. */
        CompletionStage<Void> attempt(Supplier<CompletionStage<DispatchResult>> step, Duration backoff) {
            if (!owned()) {
                return abandoned();
            }
            CompletionStage<DispatchResult> stage;
            try {
                stage = step.get();
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            DispatchResult now = completedNormally(stage);
            if (now != null) {
                // What the composition below would do at once, without its futures and lambdas.
                try {
                    return settle(now, backoff);
                } catch (Throwable t) {
                    return escaped(step, backoff, t);
                }
            }
            return stage.handle((result, failure) -> {
                if (failure != null) {
                    return escaped(step, backoff, failure);
                }
                try {
                    return settle(result, backoff);
                } catch (Throwable t) {
                    return escaped(step, backoff, t);
                }
            }).thenCompose(s -> s);
        }

        /** The stage's result when it has already completed normally with one, else {@code null}. */
        private static DispatchResult completedNormally(CompletionStage<DispatchResult> stage) {
            CompletableFuture<DispatchResult> f;
            try {
                f = stage.toCompletableFuture();
            } catch (UnsupportedOperationException notConvertible) {
                return null;
            }
            return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
        }

        private CompletionStage<Void> settle(DispatchResult result, Duration backoff) {
            switch (result.outcome()) {
                case SUCCEEDED, SKIPPED, DEAD_LETTERED:
                    return resolved();
                case RETRY_LATER:
                    return redeliverer.redeliver(message, result).handle((ok, failure) -> failure == null ? resolved()
                            : retryAfter(failure, backoff,
                                    () -> attempt(() -> CompletableFuture.completedFuture(result), next(backoff))))
                            .thenCompose(s -> s);
                default:
                    break;
            }
            if (result.fatal()) {
                return CompletableFuture.failedFuture(new FatalDispatchException(result.failure().orElse(null)));
            }
            Throwable cause = result.failure().orElseGet(() -> new IllegalStateException("FAILED without a cause"));
            if (result.deadLetterPending()) {
                return retryAfter(cause, backoff, () -> attempt(
                        () -> CompletableFuture.completedFuture(retryDeadLetter(result)), next(backoff)));
            }
            return retryAfter(cause, backoff, () -> attempt(() -> router.dispatch(message), next(backoff)));
        }

        /**
         * Writes the pending dead letter again as an attempt of its message (so a transport that holds what is sent
         * for a message, such as Kafka's exactly-once consumer, holds the letter too); a write that fails again
         * drops what it sent.
         */
        private DispatchResult retryDeadLetter(DispatchResult failed) {
            HandlerAttempt outer = HandlerAttempt.current();
            HandlerAttempt writing = HandlerAttempt.enter(message);
            try {
                DispatchResult again = router.retryDeadLetter(failed);
                if (again.deadLetterPending() || again.fatal()) {
                    writing.fail();
                }
                return again;
            } catch (RuntimeException | Error e) {
                writing.fail();
                throw e;
            } finally {
                HandlerAttempt.restore(outer);
            }
        }

        private CompletionStage<Void> escaped(Supplier<CompletionStage<DispatchResult>> step, Duration backoff,
                Throwable failure) {
            Throwable cause = unwrap(failure);
            if (cause instanceof FatalDispatchException || cause instanceof AbandonedException) {
                return CompletableFuture.failedFuture(cause);
            }
            if (cause instanceof Error error) {
                log.error("fatal error settling {}-{}@{}; not acknowledging it", message.topic(), message.partition(),
                        message.offset(), error);
                return CompletableFuture.failedFuture(new FatalDispatchException(error));
            }
            return retryAfter(cause, backoff, () -> attempt(step, next(backoff)));
        }

        private CompletionStage<Void> resolved() {
            if (blocked) {
                lease.unblocked(message);
                log.info("{}-{}@{} settled after {} failed round(s)", message.topic(), message.partition(),
                        message.offset(), failures);
            }
            return CompletableFuture.completedFuture(null);
        }

        private CompletionStage<Void> retryAfter(Throwable cause, Duration backoff,
                Supplier<CompletionStage<Void>> retry) {
            if (!owned()) {
                return abandoned();
            }
            failures++;
            report(cause, backoff);
            if (!blocked) {
                blocked = true;
                lease.blocked(message);
            }
            CompletableFuture<Void> delay = new CompletableFuture<>();
            try {
                timer.schedule(() -> delay.complete(null), backoff.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closed) {
                return abandoned();
            }
            return delay.thenComposeAsync(v -> owned() ? retry.get() : abandoned(), retries);
        }

        private void report(Throwable cause, Duration backoff) {
            long now = System.nanoTime();
            if (failures == 1) {
                lastLoggedNanos = now;
                log.warn("{}-{}@{} failed; not acknowledged, retrying after {} (the stack is logged once)",
                        message.topic(), message.partition(), message.offset(), backoff, cause);
            } else if (now - lastLoggedNanos >= LOG_EVERY_NANOS) {
                lastLoggedNanos = now;
                log.warn("{}-{}@{} still failing after {} rounds: {}", message.topic(), message.partition(),
                        message.offset(), failures, cause.toString());
            }
            try {
                lease.failing(message, cause, failures);
            } catch (RuntimeException e) {
                log.warn("failure listener threw: {}", e.toString());
            }
        }

        private boolean owned() {
            return running.getAsBoolean() && lease.valid();
        }

        private CompletionStage<Void> abandoned() {
            return CompletableFuture.failedFuture(new AbandonedException(message));
        }
    }
}
