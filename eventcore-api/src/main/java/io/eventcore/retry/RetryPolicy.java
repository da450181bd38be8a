package io.eventcore.retry;

import io.eventcore.NonRetryableException;
import io.eventcore.codec.DecodeException;

import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * When and how often a failed handler attempt is tried again.
 *
 * <p>Immutable and thread-safe: each {@code with}-style method ({@link #maxAttempts(int)},
 * {@link #jitter(double)}, ...) returns a copy. Invalid values are rejected at once with an
 * {@link IllegalArgumentException} naming the setting and the value. Policies are bounded by
 * default: {@value #DEFAULT_MAX_ATTEMPTS} attempts in total unless set otherwise.
 *
 * <h2>Classification</h2>
 * A failure is retryable unless, anywhere in its cause chain, there is
 * <ul>
 *   <li>a {@link NonRetryableException} (including {@link DecodeException} and
 *       {@link io.eventcore.routing.UnknownEventTypeException UnknownEventTypeException}), or</li>
 *   <li>an instance of an {@link #abortOn(Class[]) abortOn} class.</li>
 * </ul>
 * If {@link #retryOn(Class[]) retryOn} classes are given, a failure is retried only when its cause
 * chain contains one of them. {@link Error}s are never retried.
 *
 * <h2>Delays</h2>
 * The delay before attempt {@code n + 1} is {@code initialDelay * multiplier^(n - 1)}, capped at
 * {@code maxDelay}, then spread by {@code ±jitter} (a fraction) and capped again. When
 * {@code maxElapsed} is set, no attempt is started after that much time since the first failure.
 *
 * <pre>{@code
 * RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5))
 *     .maxAttempts(5).jitter(0.2)
 *     .retryOn(TransientException.class).abortOn(PermanentException.class);
 * }</pre>
 */
public final class RetryPolicy {
    /** Default total number of attempts (first try included): {@value}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Default multiplier of exponential policies: {@value}. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Initial delay of {@link #defaults()}: 100 ms. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(100);
    /** Maximum delay of {@link #defaults()}: 5 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(5);

    private static final int MAX_CAUSE_DEPTH = 32;

    private final RetryMode mode;
    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final Duration maxElapsed;
    private final List<Class<? extends Throwable>> retryOn;
    private final List<Class<? extends Throwable>> abortOn;

    private RetryPolicy(RetryMode mode, int maxAttempts, Duration initialDelay, Duration maxDelay, double multiplier,
            double jitter, Duration maxElapsed, List<Class<? extends Throwable>> retryOn,
            List<Class<? extends Throwable>> abortOn) {
        this.mode = mode;
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.maxElapsed = maxElapsed;
        this.retryOn = List.copyOf(retryOn);
        this.abortOn = List.copyOf(abortOn);
    }

    /** @return a policy that never retries: one attempt, then the dead-letter sink */
    public static RetryPolicy none() {
        return new RetryPolicy(RetryMode.IN_PLACE, 1, Duration.ZERO, Duration.ZERO, 1.0, 0, null, List.of(), List.of());
    }

    /**
     * @param delay the delay between attempts, &gt;= 0
     * @return a fixed-delay policy with {@value #DEFAULT_MAX_ATTEMPTS} attempts
     */
    public static RetryPolicy fixed(Duration delay) {
        Checks.notNegative("delay", delay);
        return new RetryPolicy(RetryMode.IN_PLACE, DEFAULT_MAX_ATTEMPTS, delay, delay, 1.0, 0, null, List.of(),
                List.of());
    }

    /**
     * @param initialDelay delay before the second attempt, &gt; 0
     * @param maxDelay cap of any delay, &gt;= {@code initialDelay}
     * @return an exponential policy with multiplier {@value #DEFAULT_MULTIPLIER} and
     *     {@value #DEFAULT_MAX_ATTEMPTS} attempts
     */
    public static RetryPolicy exponential(Duration initialDelay, Duration maxDelay) {
        Checks.positive("initialDelay", initialDelay);
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException(
                    "maxDelay must be >= initialDelay (" + initialDelay + "), but was " + maxDelay);
        }
        return new RetryPolicy(RetryMode.IN_PLACE, DEFAULT_MAX_ATTEMPTS, initialDelay, maxDelay, DEFAULT_MULTIPLIER,
                0, null, List.of(), List.of());
    }

    /**
     * The router's default: exponential from 100 ms to 5 s, {@value #DEFAULT_MAX_ATTEMPTS} attempts,
     * 10% jitter, in place.
     *
     * @return the default policy
     */
    public static RetryPolicy defaults() {
        return exponential(DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY).jitter(0.1);
    }

    /**
     * @param attempts total attempts including the first, &gt;= 1
     * @return a copy with that limit
     */
    public RetryPolicy maxAttempts(int attempts) {
        Checks.atLeast("maxAttempts", attempts, 1);
        return new RetryPolicy(mode, attempts, initialDelay, maxDelay, multiplier, jitter, maxElapsed, retryOn,
                abortOn);
    }

    /**
     * @param factor growth factor of the delay, &gt;= 1.0 (1.0 for fixed delays)
     * @return a copy with that multiplier
     */
    public RetryPolicy multiplier(double factor) {
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("multiplier must be >= 1.0 and finite, but was " + factor);
        }
        return new RetryPolicy(mode, maxAttempts, initialDelay, maxDelay, factor, jitter, maxElapsed, retryOn,
                abortOn);
    }

    /**
     * @param fraction spread of each delay, between 0.0 (none) and 1.0; 0.2 means ±20%
     * @return a copy with that jitter
     */
    public RetryPolicy jitter(double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0.0 and 1.0, but was " + fraction);
        }
        return new RetryPolicy(mode, maxAttempts, initialDelay, maxDelay, multiplier, fraction, maxElapsed, retryOn,
                abortOn);
    }

    /**
     * @param limit no attempt starts later than this after the first failure, &gt; 0
     * @return a copy with that limit
     */
    public RetryPolicy maxElapsed(Duration limit) {
        Checks.positive("maxElapsed", limit);
        return new RetryPolicy(mode, maxAttempts, initialDelay, maxDelay, multiplier, jitter, limit, retryOn,
                abortOn);
    }

    /**
     * Retries only failures whose cause chain contains one of these types (replaces earlier calls).
     *
     * @param types exception types, at least one
     * @return a copy with that classification
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, into an immutable list
    public final RetryPolicy retryOn(Class<? extends Throwable>... types) {
        return new RetryPolicy(mode, maxAttempts, initialDelay, maxDelay, multiplier, jitter, maxElapsed,
                typeList("retryOn", types), abortOn);
    }

    /**
     * Never retries failures whose cause chain contains one of these types (replaces earlier calls).
     * Takes precedence over {@link #retryOn(Class[])}.
     *
     * @param types exception types, at least one
     * @return a copy with that classification
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, into an immutable list
    public final RetryPolicy abortOn(Class<? extends Throwable>... types) {
        return new RetryPolicy(mode, maxAttempts, initialDelay, maxDelay, multiplier, jitter, maxElapsed, retryOn,
                typeList("abortOn", types));
    }

    /**
     * @param retryMode in place (default) or by redelivery; see {@link RetryMode} for the ordering
     *     consequences
     * @return a copy with that mode
     */
    public RetryPolicy mode(RetryMode retryMode) {
        return new RetryPolicy(Objects.requireNonNull(retryMode, "mode"), maxAttempts, initialDelay, maxDelay,
                multiplier, jitter, maxElapsed, retryOn, abortOn);
    }

    private static List<Class<? extends Throwable>> typeList(String name, Class<? extends Throwable>[] types) {
        Objects.requireNonNull(types, name);
        if (types.length == 0) {
            throw new IllegalArgumentException(name + " must name at least one exception type, but was empty");
        }
        Set<Class<? extends Throwable>> set = new LinkedHashSet<>();
        for (Class<? extends Throwable> t : types) {
            set.add(Objects.requireNonNull(t, name + " element"));
        }
        return List.copyOf(set);
    }

    /**
     * Whether a failure may be retried, ignoring attempt counts.
     *
     * @param failure the failure
     * @return {@code false} for errors, non-retryable markers, {@code abortOn} matches and, when
     *     {@code retryOn} is set, anything not matching it
     */
    public boolean isRetryable(Throwable failure) {
        if (failure instanceof Error) {
            return false;
        }
        boolean matchedRetryOn = retryOn.isEmpty();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < MAX_CAUSE_DEPTH && seen.put(t, Boolean.TRUE) == null;
                t = t.getCause(), depth++) {
            if (t instanceof NonRetryableException || matchesAny(abortOn, t)) {
                return false;
            }
            if (!matchedRetryOn && matchesAny(retryOn, t)) {
                matchedRetryOn = true;
            }
        }
        return matchedRetryOn;
    }

    private static boolean matchesAny(List<Class<? extends Throwable>> types, Throwable t) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether another attempt should follow a failed one.
     *
     * @param failure the failure of the attempt
     * @param attemptsSoFar attempts made, &gt;= 1
     * @param sinceFirstFailure time since the first failed attempt
     * @param nextDelay the delay that would precede the next attempt
     * @return whether to retry
     */
    public boolean shouldRetry(Throwable failure, int attemptsSoFar, Duration sinceFirstFailure, Duration nextDelay) {
        if (attemptsSoFar >= maxAttempts || !isRetryable(failure)) {
            return false;
        }
        return maxElapsed == null || sinceFirstFailure.plus(nextDelay).compareTo(maxElapsed) <= 0;
    }

    /**
     * The delay before the next attempt.
     *
     * @param attemptsSoFar attempts made so far, &gt;= 1
     * @param random a uniformly distributed value in [0, 1) used for jitter
     * @return the delay, between 0 and {@code maxDelay}
     */
    public Duration delayAfter(int attemptsSoFar, double random) {
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attemptsSoFar - 1));
        double capped = Math.min(base, maxDelay.toNanos());
        double spread = capped * (1.0 + jitter * (2.0 * random - 1.0));
        long nanos = (long) Math.max(0, Math.min(spread, maxDelay.toNanos()));
        return Duration.ofNanos(nanos);
    }

    /** @return the retry mode */
    public RetryMode mode() {
        return mode;
    }

    /** @return total attempts including the first */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return the delay before the second attempt */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** @return the cap of any delay */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the growth factor of delays */
    public double multiplier() {
        return multiplier;
    }

    /** @return the jitter fraction */
    public double jitter() {
        return jitter;
    }

    /** @return the elapsed-time limit, or {@code null} when only {@code maxAttempts} bounds retries */
    public Duration maxElapsed() {
        return maxElapsed;
    }

    @Override
    public String toString() {
        return "RetryPolicy{mode=" + mode + ", maxAttempts=" + maxAttempts + ", initialDelay=" + initialDelay
                + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier + ", jitter=" + jitter
                + ", maxElapsed=" + maxElapsed + ", retryOn=" + retryOn + ", abortOn=" + abortOn + '}';
    }
}
