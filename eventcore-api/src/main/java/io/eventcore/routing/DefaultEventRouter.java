package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.Scheduler;
import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.TypeResolver;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The router built by {@link EventRouter.Builder}. Immutable after construction. */
final class DefaultEventRouter implements EventRouter {
    private final Map<String, Route<?>> routes;
    private final DeadLetterSink defaultSink;
    private final UnknownTypePolicy unknownType;
    private final EventCodec codec;
    private final TypeResolver typeResolver;
    private final Clock clock;
    private final ObservationStage observation;
    private final DeadLetterStage deadLetters;
    private final RetryStage retries;
    private final ScheduledThreadPoolExecutor ownedTimer;
    private final ExecutorService ownedExecutor;

    DefaultEventRouter(EventRouter.Builder b) {
        EventMetrics metrics = SafeMetrics.wrap(b.metrics != null ? b.metrics : EventMetrics.noop());
        RetryPolicy retry = b.retry != null ? b.retry : RetryPolicy.defaults();
        this.defaultSink = b.deadLetter;
        this.unknownType = b.unknownType != null ? b.unknownType : UnknownTypePolicy.DEAD_LETTER;
        this.codec = b.codec != null ? b.codec : EventCodec.json();
        this.typeResolver = b.typeResolver != null ? b.typeResolver : TypeResolver.standard();
        this.clock = b.clock != null ? b.clock : Clock.system();
        java.time.Duration timeout = b.handlerTimeout != null ? b.handlerTimeout
                : EventRouter.Builder.DEFAULT_HANDLER_TIMEOUT;

        Scheduler scheduler = b.scheduler;
        if (scheduler == null) {
            ownedTimer = new ScheduledThreadPoolExecutor(1, daemon("eventcore-router-timer"));
            ownedTimer.setRemoveOnCancelPolicy(true);
            scheduler = Scheduler.of(ownedTimer);
        } else {
            ownedTimer = null;
        }
        Executor executor = b.executor;
        if (executor == null) {
            ownedExecutor = Executors.newCachedThreadPool(daemon("eventcore-router-retry"));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }

        Map<String, Route<?>> map = new HashMap<>();
        for (EventRouter.Builder.RouteSpec<?> spec : b.routes) {
            map.put(spec.type(), toRoute(spec, retry, timeout));
        }
        this.routes = Map.copyOf(map);
        this.observation = new ObservationStage(metrics);
        this.deadLetters = new DeadLetterStage(metrics);
        this.retries = new RetryStage(new AttemptInvoker(b.middleware, metrics, scheduler), clock, scheduler,
                executor, metrics);
    }

    private <T> Route<T> toRoute(EventRouter.Builder.RouteSpec<T> spec, RetryPolicy retry, java.time.Duration timeout) {
        RouteOptions o = spec.options();
        return new Route<>(spec.type(), spec.payloadClass(), spec.handler(),
                o.name() != null ? o.name() : Route.defaultName(spec.original(), spec.type()),
                o.retry() != null ? o.retry() : retry,
                o.deadLetter() != null ? o.deadLetter() : defaultSink,
                o.timeout() != null ? o.timeout() : timeout);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public CompletionStage<DispatchResult> dispatch(InboundMessage message) {
        long start = System.nanoTime();
        Optional<String> type = typeResolver.resolve(message);
        Route<?> route = type.map(routes::get).orElse(null);
        if (route == null) {
            return observation.observe(type.orElse(ObservationStage.UNKNOWN_TYPE), start,
                    CompletableFuture.completedFuture(unroutable(message, type.orElse(null))));
        }
        return observation.observe(route.type, start, dispatchRouted(route, message));
    }

    private CompletionStage<DispatchResult> dispatchRouted(Route<?> route, InboundMessage message) {
        Event<?> event;
        try {
            event = toEvent(route, message);
        } catch (DecodeException e) {
            Instant now = clock.now();
            return CompletableFuture.completedFuture(deadLetters.deadLetter(route.deadLetter, message, e,
                    eventIdOf(message), route.type, route.name, 0, now, now));
        }
        return retries.run(route, event, message).thenApply(r -> r.done() != null ? r.done()
                : deadLetters.deadLetter(route.deadLetter, message, r.failure(), event.id(), event.type(),
                        route.name, r.attempts(), r.firstFailureAt(), r.lastFailureAt()));
    }

    private DispatchResult unroutable(InboundMessage message, String type) {
        UnknownEventTypeException failure = new UnknownEventTypeException(type == null
                ? "no event type in header '" + EventHeaders.EVENT_TYPE + "' or JSON field"
                : "no route for event type '" + type + "'", eventIdOf(message), type);
        switch (unknownType) {
            case SKIP:
                return DispatchResult.skipped(failure);
            case FAIL:
                return DispatchResult.failed(0, failure);
            default:
                Instant now = clock.now();
                return deadLetters.deadLetter(defaultSink, message, failure, eventIdOf(message), type, null, 0, now,
                        now);
        }
    }

    private <T> Event<T> toEvent(Route<T> route, InboundMessage message) {
        T payload = codec.decode(message.value(), route.payloadClass, route.type);
        Instant occurredAt = RetryStage.parseInstant(message.header(EventHeaders.PRODUCED_AT));
        if (occurredAt == null) {
            occurredAt = message.timestamp() != null ? message.timestamp() : clock.now();
        }
        return new Event<>(eventIdOf(message), route.type, message.keyAsString(), occurredAt, message.headerMap(),
                payload);
    }

    /**
     * The {@code event_id} header, else an id derived from the source position, so a message
     * without an id keeps the same one across redeliveries.
     */
    static String eventIdOf(InboundMessage message) {
        String id = message.header(EventHeaders.EVENT_ID);
        if (id != null && !id.isBlank()) {
            return id;
        }
        if (message.offset() < 0) {
            return UUID.randomUUID().toString();
        }
        String position = message.topic() + "/" + message.partition() + "/" + message.offset();
        return UUID.nameUUIDFromBytes(position.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public DispatchResult retryDeadLetter(DispatchResult failed) {
        if (!failed.deadLetterPending()) {
            throw new IllegalArgumentException("no dead letter is pending in " + failed);
        }
        DeadLetter letter = failed.deadLetter().orElseThrow();
        Throwable original = failed.failure().map(Throwable::getCause).orElse(null);
        return deadLetters.write(failed.pendingSink(), letter, original != null ? original : failed.failure().get());
    }

    @Override
    public Set<String> eventTypes() {
        return routes.keySet();
    }

    @Override
    public void close() {
        if (ownedTimer != null) {
            ownedTimer.shutdownNow();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }
}
