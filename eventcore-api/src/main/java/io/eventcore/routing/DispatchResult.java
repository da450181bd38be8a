package io.eventcore.routing;

import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link EventRouter#dispatch(InboundMessage)}: an outcome and its details.
 * Immutable and thread-safe.
 */
public final class DispatchResult {
    private final DispatchOutcome outcome;
    private final Duration delay;
    private final int attempts;
    private final Throwable failure;
    private final boolean fatal;
    private final Instant firstFailureAt;
    private final DeadLetter deadLetter;
    private final DeadLetterSink sink;

    /** Immutable, so the most common result is shared. */
    private static final DispatchResult SUCCEEDED_AT_FIRST_ATTEMPT = new DispatchResult(DispatchOutcome.SUCCEEDED,
            Duration.ZERO, 1, null, false, null, null, null);

    private DispatchResult(DispatchOutcome outcome, Duration delay, int attempts, Throwable failure, boolean fatal,
            Instant firstFailureAt, DeadLetter deadLetter, DeadLetterSink sink) {
        this.outcome = Objects.requireNonNull(outcome, "outcome");
        this.delay = delay;
        this.attempts = attempts;
        this.failure = failure;
        this.fatal = fatal;
        this.firstFailureAt = firstFailureAt;
        this.deadLetter = deadLetter;
        this.sink = sink;
    }

    static DispatchResult succeeded(int attempts) {
        return attempts == 1 ? SUCCEEDED_AT_FIRST_ATTEMPT
                : new DispatchResult(DispatchOutcome.SUCCEEDED, Duration.ZERO, attempts, null, false, null, null, null);
    }

    static DispatchResult skipped(Throwable reason) {
        return new DispatchResult(DispatchOutcome.SKIPPED, Duration.ZERO, 0, reason, false, null, null, null);
    }

    static DispatchResult deadLettered(DeadLetter letter, Throwable failure) {
        return new DispatchResult(DispatchOutcome.DEAD_LETTERED, Duration.ZERO, letter.attempts(), failure, false,
                letter.firstFailureAt(), letter, null);
    }

    static DispatchResult retryLater(Duration delay, int attempts, Throwable failure, Instant firstFailureAt) {
        return new DispatchResult(DispatchOutcome.RETRY_LATER, delay, attempts, failure, false, firstFailureAt, null,
                null);
    }

    static DispatchResult failed(int attempts, Throwable failure) {
        return new DispatchResult(DispatchOutcome.FAILED, Duration.ZERO, attempts, failure, false, null, null, null);
    }

    static DispatchResult fatal(int attempts, Error error) {
        return new DispatchResult(DispatchOutcome.FAILED, Duration.ZERO, attempts, error, true, null, null, null);
    }

    static DispatchResult deadLetterFailed(DeadLetter letter, DeadLetterSink sink, Throwable failure) {
        return new DispatchResult(DispatchOutcome.FAILED, Duration.ZERO, letter.attempts(), failure, false,
                letter.firstFailureAt(), letter, sink);
    }

    /** @return the outcome */
    public DispatchOutcome outcome() {
        return outcome;
    }

    /** @return for {@link DispatchOutcome#RETRY_LATER}, how long to wait before redelivery; else zero */
    public Duration delay() {
        return delay;
    }

    /** @return handler attempts made in this dispatch (counting earlier redeliveries), 0 if none */
    public int attempts() {
        return attempts;
    }

    /** @return the failure behind a non-success outcome, if any */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Whether a handler threw an {@link Error}. The transport must stop consuming, report itself
     * unhealthy, and not acknowledge this message or anything after it.
     *
     * @return whether the failure is fatal
     */
    public boolean fatal() {
        return fatal;
    }

    /** @return when the first attempt failed, if any failed */
    public Optional<Instant> firstFailureAt() {
        return Optional.ofNullable(firstFailureAt);
    }

    /**
     * The dead letter written ({@link DispatchOutcome#DEAD_LETTERED}) or whose write failed
     * ({@link #deadLetterPending()}).
     *
     * @return the dead letter, if any
     */
    public Optional<DeadLetter> deadLetter() {
        return Optional.ofNullable(deadLetter);
    }

    /**
     * @return whether this is a {@code FAILED} outcome whose dead letter still has to be written;
     *     pass it to {@link EventRouter#retryDeadLetter(DispatchResult)}
     */
    public boolean deadLetterPending() {
        return sink != null;
    }

    DeadLetterSink pendingSink() {
        return sink;
    }

    @Override
    public String toString() {
        return "DispatchResult{" + outcome + (outcome == DispatchOutcome.RETRY_LATER ? "(" + delay + ")" : "")
                + ", attempts=" + attempts + (failure != null ? ", failure=" + failure : "")
                + (fatal ? ", fatal" : "") + '}';
    }
}
