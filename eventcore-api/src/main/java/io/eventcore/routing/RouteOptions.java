package io.eventcore.routing;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;

import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * Per-route overrides of the router's settings, passed as a configurer to
 * {@code EventRouter.Builder.route(..., options -> options.retry(...))}. Unset values fall back to
 * the router's. Setting a value twice is rejected with {@link IllegalStateException}.
 */
public final class RouteOptions {
    private RetryPolicy retry;
    private DeadLetterSink deadLetter;
    private Duration timeout;
    private String name;

    RouteOptions() {
    }

    /**
     * @param policy the retry policy for this route only
     * @return this
     */
    public RouteOptions retry(RetryPolicy policy) {
        this.retry = Checks.once("retry", this.retry, Objects.requireNonNull(policy, "retry"));
        return this;
    }

    /**
     * @param sink the dead-letter sink for this route only
     * @return this
     */
    public RouteOptions deadLetter(DeadLetterSink sink) {
        this.deadLetter = Checks.once("deadLetter", this.deadLetter, Objects.requireNonNull(sink, "deadLetter"));
        return this;
    }

    /**
     * @param limit how long an attempt's stage may stay incomplete, &gt; 0 (see
     *     {@link EventRouter.Builder#handlerTimeout(Duration)})
     * @return this
     */
    public RouteOptions timeout(Duration limit) {
        this.timeout = Checks.once("timeout", this.timeout, Checks.positive("timeout", limit));
        return this;
    }

    /**
     * @param handlerName the handler name used in metrics, logs and dead letters; defaults to the
     *     handler's declaring class and the event type
     * @return this
     */
    public RouteOptions name(String handlerName) {
        this.name = Checks.once("name", this.name, Checks.notBlank("name", handlerName));
        return this;
    }

    RetryPolicy retry() {
        return retry;
    }

    DeadLetterSink deadLetter() {
        return deadLetter;
    }

    Duration timeout() {
        return timeout;
    }

    String name() {
        return name;
    }
}
