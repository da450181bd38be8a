package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.Clock;
import io.eventcore.Event;
import io.eventcore.EventHandler;
import io.eventcore.EventType;
import io.eventcore.InboundMessage;
import io.eventcore.RawEventHandler;
import io.eventcore.Scheduler;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.TypeResolver;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Dispatches raw messages by event type to typed handlers (or undecoded to {@link Builder#routeRaw raw ones}),
 * applying retry, timeout and dead-letter policies through one chain of fixed order:
 * {@code observation/metrics → dead-letter → retry → timeout → user middleware → handler}. For each message the
 * router resolves the type ({@link TypeResolver}), picks the route (or applies the {@link UnknownTypePolicy}),
 * decodes the payload with the {@link EventCodec} (a decode failure is dead-lettered, never retried), and runs
 * attempts until one succeeds or the {@link RetryPolicy} gives up, then dead-letters the message.
 *
 * <pre>{@code
 * EventRouter router = EventRouter.builder()
 *     .route("OrderCreated", OrderCreated.class, (event, ctx) -> orders.onCreated(event.payload()))
 *     .route(OrderShipped.class, this::onShipped)
 *     .retry(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).maxAttempts(5))
 *     .deadLetter(deadLetterSink)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe: any number of threads may dispatch concurrently; transports dispatch on worker threads.
 */
public interface EventRouter extends AutoCloseable {

    /**
     * Dispatches one message. The stage never completes exceptionally (failures are outcomes); a synchronous
     * handler's first attempt runs on the calling thread, delayed retries on the router's executor.
     *
     * @param message the raw message
     * @return the outcome the transport acts on; a completed stage may be shared: do not rely on its identity
     */
    CompletionStage<DispatchResult> dispatch(InboundMessage message);

    /**
     * Tries again to write a dead letter whose first write failed.
     *
     * @param failed a result with {@link DispatchResult#deadLetterPending()}
     * @return {@code DEAD_LETTERED} when the sink accepted it now, else {@code FAILED} (still pending)
     * @throws IllegalArgumentException if no dead letter is pending in {@code failed}
     */
    DispatchResult retryDeadLetter(DispatchResult failed);

    /** @return the event types that have routes */
    Set<String> eventTypes();

    /**
     * The event types whose route retries with {@link io.eventcore.retry.RetryMode#REDELIVER} (answered with
     * {@code RETRY_LATER}): transports set up redelivery (retry topics) for them at build time. A custom router
     * returning {@code RETRY_LATER} must override this empty default, or transports keep them unacknowledged.
     *
     * @return the types, possibly empty; unmodifiable
     */
    default Set<String> redeliveredTypes() {
        return Set.of();
    }

    /**
     * Stops the router's own scheduler and executor (not injected ones). Pending in-place retries then end as
     * {@code FAILED}, so their messages stay unacknowledged. Idempotent.
     */
    @Override
    void close();

    /** @return a new builder */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Builds routers; not thread-safe. Setters reject bad values ({@link IllegalArgumentException}), repeats
     * ({@link IllegalStateException}); {@link #build()} checks the combination.
     */
    final class Builder {
        /** Default bound of a pending asynchronous attempt: 30 seconds. */
        public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(30);

        final List<RouteSpec<?>> routes = new ArrayList<>();
        final List<Class<?>> sealedTypes = new ArrayList<>();
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

        Builder() {
        }

        /**
         * Routes a type string to a synchronous handler.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payload is decoded into
         * @param handler the handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder route(String type, Class<T> payloadClass, EventHandler<T> handler) {
            return route(type, payloadClass, handler, options -> { });
        }

        /**
         * Routes a type string to a synchronous handler with per-route options.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payload is decoded into
         * @param handler the handler
         * @param options configures retry, dead-letter, timeout or name for this route only
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder route(String type, Class<T> payloadClass, EventHandler<T> handler, Consumer<RouteOptions> options) {
            return add(type, Objects.requireNonNull(payloadClass, "payloadClass"),
                    Route.async(Objects.requireNonNull(handler, "handler")), null, handler, options);
        }

        /**
         * Routes a payload class to a synchronous handler; its type is the class's {@link EventType} value or name.
         *
         * @param payloadClass the payload class
         * @param handler the handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder route(Class<T> payloadClass, EventHandler<T> handler) {
            return route(Event.typeOf(payloadClass), payloadClass, handler);
        }

        /**
         * Routes a payload class to a synchronous handler with per-route options.
         *
         * @param payloadClass the payload class
         * @param handler the handler
         * @param options per-route options
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder route(Class<T> payloadClass, EventHandler<T> handler, Consumer<RouteOptions> options) {
            return route(Event.typeOf(payloadClass), payloadClass, handler, options);
        }

        /**
         * Routes a type string to an asynchronous handler.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payload is decoded into
         * @param handler the handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeAsync(String type, Class<T> payloadClass, AsyncEventHandler<T> handler) {
            return routeAsync(type, payloadClass, handler, options -> { });
        }

        /**
         * Routes a type string to an asynchronous handler with per-route options.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payload is decoded into
         * @param handler the handler
         * @param options per-route options
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeAsync(String type, Class<T> payloadClass, AsyncEventHandler<T> handler,
                Consumer<RouteOptions> options) {
            return add(type, Objects.requireNonNull(payloadClass, "payloadClass"),
                    Objects.requireNonNull(handler, "handler"), null, handler, options);
        }

        /**
         * Routes a payload class to an asynchronous handler.
         *
         * @param payloadClass the payload class
         * @param handler the handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeAsync(Class<T> payloadClass, AsyncEventHandler<T> handler) {
            return routeAsync(Event.typeOf(payloadClass), payloadClass, handler);
        }

        /**
         * Routes a payload class to an asynchronous handler with per-route options.
         *
         * @param payloadClass the payload class
         * @param handler the handler
         * @param options per-route options
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeAsync(Class<T> payloadClass, AsyncEventHandler<T> handler, Consumer<RouteOptions> options) {
            return routeAsync(Event.typeOf(payloadClass), payloadClass, handler, options);
        }

        /**
         * Routes a type string to a handler of the raw, never decoded message: retry, dead-letter and metrics as for
         * typed routes, no {@link Middleware} (there is no {@link Event}); see {@link RawEventHandler}.
         *
         * @param type the event type, not blank
         * @param handler the handler
         * @return this builder
         */
        public Builder routeRaw(String type, RawEventHandler handler) {
            return routeRaw(type, handler, options -> { });
        }

        /**
         * {@link #routeRaw(String, RawEventHandler)} with per-route options (no timeout: raw handlers are synchronous).
         *
         * @param type the event type, not blank
         * @param handler the handler
         * @param options configures retry, dead-letter or name for this route only
         * @return this builder
         */
        public Builder routeRaw(String type, RawEventHandler handler, Consumer<RouteOptions> options) {
            return add(type, null, null, Objects.requireNonNull(handler, "handler"), handler, options);
        }

        private <T> Builder add(String type, Class<T> payloadClass, AsyncEventHandler<T> handler,
                RawEventHandler raw, Object original, Consumer<RouteOptions> configurer) {
            Checks.notBlank("type", type);
            Objects.requireNonNull(configurer, "options");
            RouteOptions options = new RouteOptions();
            configurer.accept(options);
            routes.add(new RouteSpec<>(type, payloadClass, handler, raw, original, options));
            return this;
        }

        /**
         * Declares a sealed event type: {@link #build()} fails, listing them, when a permitted subtype (recursively)
         * has no route of its type name ({@link EventType} value or simple name) decoding into it or a supertype, or
         * raw. Two subtypes with one name are rejected.
         *
         * @param sealedType a sealed interface or class
         * @return this builder
         * @throws IllegalArgumentException if the type is not sealed
         */
        public Builder routesFor(Class<?> sealedType) {
            sealedTypes.add(SealedRoutes.requireSealed(sealedType));
            return this;
        }

        /**
         * @param policy the default retry policy of every route; defaults to {@link RetryPolicy#defaults()}
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Checks.once("retry", retry, Objects.requireNonNull(policy, "retry"));
            return this;
        }

        /**
         * Sets where exhausted, permanent and unroutable messages go. Without one (the default) they end as
         * {@link DispatchOutcome#FAILED}, unacknowledged and redelivered, blocking their partition.
         *
         * @param sink the default sink of every route and of unknown types
         * @return this builder
         */
        public Builder deadLetter(DeadLetterSink sink) {
            this.deadLetter = Checks.once("deadLetter", deadLetter, Objects.requireNonNull(sink, "deadLetter"));
            return this;
        }

        /**
         * @param policy what to do with unroutable messages; defaults to {@link UnknownTypePolicy#DEAD_LETTER}
         * @return this builder
         */
        public Builder onUnknownType(UnknownTypePolicy policy) {
            this.unknownType = Checks.once("onUnknownType", unknownType, Objects.requireNonNull(policy, "onUnknownType"));
            return this;
        }

        /**
         * Appends a user middleware; it runs once per attempt, inside retry and timeout, in registration order.
         *
         * @param mw the middleware
         * @return this builder
         */
        public Builder middleware(Middleware mw) {
            middleware.add(Objects.requireNonNull(mw, "middleware"));
            return this;
        }

        /**
         * @param eventMetrics where measurements go; defaults to {@link EventMetrics#noop()}
         * @return this builder
         */
        public Builder metrics(EventMetrics eventMetrics) {
            this.metrics = Checks.once("metrics", metrics, Objects.requireNonNull(eventMetrics, "metrics"));
            return this;
        }

        /**
         * @param observer observes each dispatch (tracing); defaults to {@link EventInstrumentation#noop()}
         * @return this builder
         */
        public Builder instrumentation(EventInstrumentation observer) {
            instrumentation = Checks.once("instrumentation", instrumentation, Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * @param eventCodec the payload codec; defaults to {@link EventCodec#json()}
         * @return this builder
         */
        public Builder codec(EventCodec eventCodec) {
            this.codec = Checks.once("codec", codec, Objects.requireNonNull(eventCodec, "codec"));
            return this;
        }

        /**
         * @param resolver how the event type is found; defaults to {@link TypeResolver#standard()}
         * @return this builder
         */
        public Builder typeResolver(TypeResolver resolver) {
            this.typeResolver = Checks.once("typeResolver", typeResolver, Objects.requireNonNull(resolver, "typeResolver"));
            return this;
        }

        /**
         * @param source the time source for failure timestamps and elapsed limits; defaults to
         *     {@link Clock#system()}
         * @return this builder
         */
        public Builder clock(Clock source) {
            this.clock = Checks.once("clock", clock, Objects.requireNonNull(source, "clock"));
            return this;
        }

        /**
         * @param timer runs retry delays and timeouts; defaults to a daemon thread owned by the router
         * @return this builder
         */
        public Builder scheduler(Scheduler timer) {
            this.scheduler = Checks.once("scheduler", scheduler, Objects.requireNonNull(timer, "scheduler"));
            return this;
        }

        /**
         * @param pool runs delayed in-place retry attempts; defaults to a daemon cached pool owned by the router
         * @return this builder
         */
        public Builder executor(Executor pool) {
            this.executor = Checks.once("executor", executor, Objects.requireNonNull(pool, "executor"));
            return this;
        }

        /**
         * Bounds how long an attempt's stage may stay incomplete ({@link io.eventcore.HandlerTimeoutException},
         * retryable): asynchronous handlers and middleware only, synchronous ones are not interrupted.
         *
         * @param timeout the default timeout of every route, &gt; 0
         * @return this builder
         */
        public Builder handlerTimeout(Duration timeout) {
            this.handlerTimeout = Checks.once("handlerTimeout", handlerTimeout, Checks.positive("handlerTimeout", timeout));
            return this;
        }

        /**
         * @return the router
         * @throws IllegalStateException if no route was added, a type is routed twice, or a
         *     subtype of a {@link #routesFor sealed type} has no route
         */
        public EventRouter build() {
            RouteSpec.checkDistinct(routes);
            SealedRoutes.checkCovered(sealedTypes, routes);
            return new DefaultEventRouter(this);
        }
    }
}
