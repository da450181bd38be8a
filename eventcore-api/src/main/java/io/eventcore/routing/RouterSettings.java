package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.Scheduler;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.TypeResolver;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.internal.Checks;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The router-wide settings of {@link EventRouter.Builder} (its routes are declared there): kept apart so each
 * file stays readable. Javadoc documents these methods as the builder's own.
 */
abstract class RouterSettings {
    final List<Middleware> middleware = new ArrayList<>();
    RetryPolicy retry;
    DeadLetterSink deadLetter;
    UnknownTypePolicy unknownType;
    EventMetrics metrics;
    EventInstrumentation instrumentation;
    EventCodec codec;
    TypeResolver typeResolver;
    Clock clock;
    Scheduler scheduler;
    Executor executor;
    Duration handlerTimeout;

    RouterSettings() {
    }

    private EventRouter.Builder self() {
        return (EventRouter.Builder) this;
    }

    /**
     * @param policy the default retry policy of every route; defaults to {@link RetryPolicy#defaults()}
     * @return this builder
     */
    public EventRouter.Builder retry(RetryPolicy policy) {
        this.retry = Checks.once("retry", retry, Objects.requireNonNull(policy, "retry"));
        return self();
    }

    /**
     * Sets where exhausted, permanent and unroutable messages go. Without one (the default) they end as
     * {@link DispatchOutcome#FAILED}, unacknowledged and redelivered, blocking their partition.
     *
     * @param sink the default sink of every route and of unknown types
     * @return this builder
     */
    public EventRouter.Builder deadLetter(DeadLetterSink sink) {
        this.deadLetter = Checks.once("deadLetter", deadLetter, Objects.requireNonNull(sink, "deadLetter"));
        return self();
    }

    /**
     * @param policy what to do with unroutable messages; defaults to {@link UnknownTypePolicy#DEAD_LETTER}
     * @return this builder
     */
    public EventRouter.Builder onUnknownType(UnknownTypePolicy policy) {
        this.unknownType = Checks.once("onUnknownType", unknownType, Objects.requireNonNull(policy, "onUnknownType"));
        return self();
    }

    /**
     * Appends a user middleware; it runs once per attempt, inside retry and timeout, in registration order.
     *
     * @param mw the middleware
     * @return this builder
     */
    public EventRouter.Builder middleware(Middleware mw) {
        middleware.add(Objects.requireNonNull(mw, "middleware"));
        return self();
    }

    /**
     * @param eventMetrics where measurements go; defaults to {@link EventMetrics#noop()}
     * @return this builder
     */
    public EventRouter.Builder metrics(EventMetrics eventMetrics) {
        this.metrics = Checks.once("metrics", metrics, Objects.requireNonNull(eventMetrics, "metrics"));
        return self();
    }

    /**
     * @param observer observes each dispatch (tracing); defaults to {@link EventInstrumentation#noop()}
     * @return this builder
     */
    public EventRouter.Builder instrumentation(EventInstrumentation observer) {
        instrumentation = Checks.once("instrumentation", instrumentation, Objects.requireNonNull(observer, "observer"));
        return self();
    }

    /**
     * @param eventCodec the payload codec; defaults to {@link EventCodec#json()}
     * @return this builder
     */
    public EventRouter.Builder codec(EventCodec eventCodec) {
        this.codec = Checks.once("codec", codec, Objects.requireNonNull(eventCodec, "codec"));
        return self();
    }

    /**
     * @param resolver how the event type is found; defaults to {@link TypeResolver#standard()}
     * @return this builder
     */
    public EventRouter.Builder typeResolver(TypeResolver resolver) {
        this.typeResolver = Checks.once("typeResolver", typeResolver, Objects.requireNonNull(resolver, "typeResolver"));
        return self();
    }

    /**
     * @param source the time source for failure timestamps and elapsed limits; defaults to
     *     {@link Clock#system()}
     * @return this builder
     */
    public EventRouter.Builder clock(Clock source) {
        this.clock = Checks.once("clock", clock, Objects.requireNonNull(source, "clock"));
        return self();
    }

    /**
     * @param timer runs retry delays and timeouts; defaults to a daemon thread owned by the router
     * @return this builder
     */
    public EventRouter.Builder scheduler(Scheduler timer) {
        this.scheduler = Checks.once("scheduler", scheduler, Objects.requireNonNull(timer, "scheduler"));
        return self();
    }

    /**
     * @param pool runs delayed in-place retry attempts; defaults to a daemon cached pool owned by the router
     * @return this builder
     */
    public EventRouter.Builder executor(Executor pool) {
        this.executor = Checks.once("executor", executor, Objects.requireNonNull(pool, "executor"));
        return self();
    }

    /**
     * Bounds how long an attempt's stage may stay incomplete ({@link io.eventcore.HandlerTimeoutException},
     * retryable): asynchronous handlers and middleware only, synchronous ones are not interrupted.
     *
     * @param timeout the default timeout of every route, &gt; 0
     * @return this builder
     */
    public EventRouter.Builder handlerTimeout(Duration timeout) {
        this.handlerTimeout = Checks.once("handlerTimeout", handlerTimeout, Checks.positive("handlerTimeout", timeout));
        return self();
    }
}
