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
    private int maxBatchSize;
    private int maxBatchBytes;

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

    /**
     * Bounds the events of one {@link io.eventcore.BatchHandler} call (batch routes only).
     *
     * @param events the most events per call, &ge; 1; defaults to {@value EventRouter.Builder#DEFAULT_MAX_BATCH_SIZE}
     * @return these options
     * @throws IllegalArgumentException if {@code events} &lt; 1
     */
    public RouteOptions maxBatchSize(int events) {
        this.maxBatchSize = Checks.once("maxBatchSize", this.maxBatchSize == 0 ? null : this.maxBatchSize,
                Checks.atLeast("maxBatchSize", events, 1));
        return this;
    }

    /**
     * Bounds the payload bytes of one {@link io.eventcore.BatchHandler} call (batch routes only); a single event
     * larger than the bound is still handled, alone.
     *
     * @param bytes the most payload bytes per call, &ge; 1; defaults to
     *     {@value EventRouter.Builder#DEFAULT_MAX_BATCH_BYTES}
     * @return these options
     * @throws IllegalArgumentException if {@code bytes} &lt; 1
     */
    public RouteOptions maxBatchBytes(int bytes) {
        this.maxBatchBytes = Checks.once("maxBatchBytes", this.maxBatchBytes == 0 ? null : this.maxBatchBytes,
                Checks.atLeast("maxBatchBytes", bytes, 1));
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

    int maxBatchSize() {
        return maxBatchSize > 0 ? maxBatchSize : EventRouter.Builder.DEFAULT_MAX_BATCH_SIZE;
    }

    int maxBatchBytes() {
        return maxBatchBytes > 0 ? maxBatchBytes : EventRouter.Builder.DEFAULT_MAX_BATCH_BYTES;
    }
}
