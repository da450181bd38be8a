package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.BatchHandler;
import io.eventcore.Event;
import io.eventcore.EventHandler;
import io.eventcore.EventType;
import io.eventcore.InboundMessage;
import io.eventcore.RawEventHandler;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.TypeResolver;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
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
     * Dispatches consecutive messages of one ordering unit (a partition, or a key), in order: runs of messages of
     * a {@link Builder#routeBatch batch route} go to its handler in one call, the others one by one. The stage never
     * completes exceptionally. Its list has one entry per message: the outcome, or {@code null} for a message not
     * dispatched yet. The dispatch stops at the first outcome the transport must settle before going on
     * ({@code FAILED} or {@code RETRY_LATER}): every entry before it is a final outcome; entries after it are final
     * outcomes already reached (dead letters, skips) or {@code null}, and the transport dispatches the
     * {@code null} ones, in order, once it has settled that one. This default dispatches one message at a time.
     *
     * @param messages the messages, in order, not empty
     * @return one entry per message
     */
    default CompletionStage<List<DispatchResult>> dispatchBatch(List<InboundMessage> messages) {
        return dispatchBatch(messages, () -> true);
    }

    /**
     * As {@link #dispatchBatch(List)}, starting nothing more once {@code owned} answers {@code false} (the
     * transport lost the messages' partition, or is closing): what was not dispatched then stays {@code null}.
     *
     * @param messages the messages, in order, not empty
     * @param owned asked before each handler call and each single dispatch
     * @return one entry per message
     */
    default CompletionStage<List<DispatchResult>> dispatchBatch(List<InboundMessage> messages, BooleanSupplier owned) {
        return BatchDispatch.oneByOne(this, messages, owned);
    }

    /** @return whether any route takes batches: transports group records for {@link #dispatchBatch} only then */
    default boolean batching() {
        return false;
    }

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
    final class Builder extends RouterSettings {
        /** Default bound of a pending asynchronous attempt: 30 seconds. */
        public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(30);
        /** Default bound of a {@link BatchHandler} call's events: 500. */
        public static final int DEFAULT_MAX_BATCH_SIZE = 500;
        /** Default bound of a {@link BatchHandler} call's payload bytes: 1 MiB. */
        public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;

        final List<RouteSpec<?>> routes = new ArrayList<>();
        final List<Class<?>> sealedTypes = new ArrayList<>();

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
         * As {@link #route(Class, EventHandler)}, with per-route options.
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
         * Routes a payload class to an asynchronous handler; its type as in {@link #route(Class, EventHandler)}.
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
         * As {@link #routeAsync(Class, AsyncEventHandler)}, with per-route options.
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

        /**
         * Routes a payload class to a {@link BatchHandler}: transports hand it consecutive events of one partition
         * (one key in {@code KEY} ordering) per call, bounded by {@link RouteOptions#maxBatchSize} and
         * {@link RouteOptions#maxBatchBytes}; failures as {@link BatchHandler} describes. Its type as in
         * {@link #route(Class, EventHandler)}.
         *
         * @param payloadClass the payload class
         * @param handler the batch handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeBatch(Class<T> payloadClass, BatchHandler<T> handler) {
            return routeBatch(Event.typeOf(payloadClass), payloadClass, handler, options -> { });
        }

        /**
         * As {@link #routeBatch(Class, BatchHandler)}, with per-route options (batch bounds, retry, dead letter).
         *
         * @param payloadClass the payload class
         * @param handler the batch handler
         * @param options per-route options
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeBatch(Class<T> payloadClass, BatchHandler<T> handler, Consumer<RouteOptions> options) {
            return routeBatch(Event.typeOf(payloadClass), payloadClass, handler, options);
        }

        /**
         * As {@link #routeBatch(Class, BatchHandler)} for a type string.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payloads are decoded into
         * @param handler the batch handler
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeBatch(String type, Class<T> payloadClass, BatchHandler<T> handler) {
            return routeBatch(type, payloadClass, handler, options -> { });
        }

        /**
         * As {@link #routeBatch(Class, BatchHandler)} for a type string, with per-route options.
         *
         * @param type the event type, not blank
         * @param payloadClass the class the payloads are decoded into
         * @param handler the batch handler
         * @param options per-route options
         * @param <T> payload type
         * @return this builder
         */
        public <T> Builder routeBatch(String type, Class<T> payloadClass, BatchHandler<T> handler,
                Consumer<RouteOptions> options) {
            Objects.requireNonNull(handler, "handler");
            return add(type, Objects.requireNonNull(payloadClass, "payloadClass"), Route.single(handler), null,
                    handler, handler, options);
        }

        private <T> Builder add(String type, Class<T> payloadClass, AsyncEventHandler<T> handler,
                RawEventHandler raw, Object original, Consumer<RouteOptions> configurer) {
            return add(type, payloadClass, handler, raw, null, original, configurer);
        }

        private <T> Builder add(String type, Class<T> payloadClass, AsyncEventHandler<T> handler,
                RawEventHandler raw, BatchHandler<T> batch, Object original, Consumer<RouteOptions> configurer) {
            Checks.notBlank("type", type);
            Objects.requireNonNull(configurer, "options");
            RouteOptions options = new RouteOptions();
            configurer.accept(options);
            routes.add(new RouteSpec<>(type, payloadClass, handler, raw, batch, original, options));
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
