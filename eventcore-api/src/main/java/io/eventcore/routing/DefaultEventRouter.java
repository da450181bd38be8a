package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.InboundMessage;
import io.eventcore.Scheduler;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.TypeResolver;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.internal.EventIds;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router built by {@link EventRouter.Builder}. Immutable after construction. Every dispatch runs
 * through one chain of {@link Stage}s whose order {@link #stages} declares.
 */
final class DefaultEventRouter implements EventRouter {
    private static final Logger log = LoggerFactory.getLogger(DefaultEventRouter.class);
    /** The common outcome, shared: immutable, and its stage cannot be changed (see {@link Completed}). */
    private static final CompletableFuture<DispatchResult> SUCCEEDED =
            new Completed<>(StageResult.SUCCEEDED_AT_FIRST_ATTEMPT.done());

    private final Map<String, Route<?>> routes;
    private final TypeResolver typeResolver;
    /** The routes by their type's bytes when the resolver is the standard one, else {@code null}. */
    private final TypeTable byTypeHeader;
    private final DeadLetterStage deadLetters;
    private final RetryStage retries;
    private final Stage.Next chain;
    private final ScheduledThreadPoolExecutor ownedTimer;
    private final ExecutorService ownedExecutor;
    /** Whether a route takes batches. */
    private final boolean batching;
    private final EventMetrics metrics;

    DefaultEventRouter(EventRouter.Builder b) {
        EventMetrics metrics = SafeMetrics.wrap(b.metrics != null ? b.metrics : EventMetrics.noop());
        this.metrics = metrics;
        RetryPolicy retry = b.retry != null ? b.retry : RetryPolicy.defaults();
        Clock clock = b.clock != null ? b.clock : Clock.system();
        this.typeResolver = b.typeResolver != null ? b.typeResolver : TypeResolver.standard();
        Duration timeout = b.handlerTimeout != null ? b.handlerTimeout : EventRouter.Builder.DEFAULT_HANDLER_TIMEOUT;

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
        for (RouteSpec<?> spec : b.routes) {
            map.put(spec.type(), toRoute(spec, retry, b.deadLetter, timeout));
        }
        this.routes = Map.copyOf(map);
        this.batching = routes.values().stream().anyMatch(r -> r.batch != null);
        this.byTypeHeader = typeResolver == TypeResolver.standard() ? new TypeTable(routes.values()) : null;
        this.deadLetters = new DeadLetterStage(metrics, b.deadLetter, routes.keySet());
        this.retries = new RetryStage(clock, scheduler, executor, metrics);
        EventInstrumentation instrumentation = EventInstrumentation.safe(b.instrumentation != null
                ? b.instrumentation : EventInstrumentation.noop());
        this.chain = Stage.link(stages(metrics, instrumentation, deadLetters,
                new DecodeStage(b.codec != null ? b.codec : EventCodec.json(), clock,
                        b.unknownType != null ? b.unknownType : UnknownTypePolicy.DEAD_LETTER),
                retries, new TimeoutStage(scheduler), b.middleware));
    }

    /**
     * The one place the chain's order is declared: observation/metrics, dead letter, decode, retry,
     * timeout, user middleware in registration order, handler. Dead letter outside retry means only
     * failures the policy gave up on are dead-lettered; user middleware inside retry runs once per
     * attempt (and not at all for raw routes, which have no decoded event). Observation is left out
     * when neither the metrics nor the instrumentation record anything.
     */
    static List<Stage> stages(EventMetrics metrics, EventInstrumentation instrumentation, DeadLetterStage deadLetter, DecodeStage decode, RetryStage retry,
            TimeoutStage timeout, List<Middleware> middleware) {
        List<Stage> stages = new ArrayList<>();
        if (metrics != EventMetrics.noop() || instrumentation != EventInstrumentation.noop()) {
            stages.add(new ObservationStage(metrics, instrumentation));
        }
        stages.add(deadLetter);
        stages.add(decode);
        stages.add(retry);
        stages.add(timeout);
        for (Middleware m : middleware) {
            stages.add(new MiddlewareStage(m));
        }
        stages.add(new HandlerStage(metrics));
        return List.copyOf(stages);
    }

    private static <T> Route<T> toRoute(RouteSpec<T> spec, RetryPolicy retry, DeadLetterSink defaultSink,
            Duration timeout) {
        RouteOptions o = spec.options();
        return new Route<>(spec.type(), spec.payloadClass(), spec.handler(), spec.raw(),
                o.name() != null ? o.name() : Route.defaultName(spec.original(), spec.type()),
                o.retry() != null ? o.retry() : retry,
                o.deadLetter() != null ? o.deadLetter() : defaultSink,
                o.timeout() != null ? o.timeout() : timeout, spec.batch(), o.maxBatchSize(), o.maxBatchBytes());
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
        return dispatch(message, null);
    }

    /** As {@link #dispatch(InboundMessage)}; a {@code slot} makes its first attempt part of that batch call. */
    CompletionStage<DispatchResult> dispatch(InboundMessage message, BatchCall.Slot slot) {
        Route<?> route = byTypeHeader != null ? byTypeHeader.byTypeHeader(message) : null;
        String type;
        if (route != null) {
            type = route.type;
        } else {
            type = typeResolver.resolve(message).orElse(null);
            route = type != null ? routes.get(type) : null;
        }
        Exchange exchange = new Exchange(message, type, route, eventIdOf(message), null, null,
                Observed.NONE, null, slot);
        CompletableFuture<StageResult> result;
        try {
            result = Stage.own(chain.proceed(exchange));
        } catch (Throwable t) {
            result = CompletableFuture.failedFuture(t);
        }
        if (Stage.settled(result)) {
            StageResult r = result.join();
            if (r != null && r.done() != null) {
                return r == StageResult.SUCCEEDED_AT_FIRST_ATTEMPT ? SUCCEEDED
                        : CompletableFuture.completedFuture(r.done());
            }
        }
        // Last line of the contract: whatever escaped a stage is an outcome, never an exceptional stage.
        return result.handle((r, t) -> t == null && r != null && r.done() != null ? r.done() : escaped(message, t));
    }

    /** @return the message's route, or {@code null} when it has none */
    Route<?> routeOf(InboundMessage message) {
        Route<?> route = byTypeHeader != null ? byTypeHeader.byTypeHeader(message) : null;
        if (route != null) {
            return route;
        }
        String type = typeResolver.resolve(message).orElse(null);
        return type != null ? routes.get(type) : null;
    }

    @Override
    public CompletionStage<List<DispatchResult>> dispatchBatch(List<InboundMessage> messages, BooleanSupplier owned) {
        return batching ? new BatchDispatch(this, metrics, messages, owned).run()
                : BatchDispatch.oneByOne(this, messages, owned);
    }

    @Override
    public boolean batching() {
        return batching;
    }

    private static DispatchResult escaped(InboundMessage message, Throwable t) {
        Throwable failure = t != null ? MiddlewareStage.unwrap(t)
                : new IllegalStateException("the router chain ended without an outcome");
        log.error("dispatch of {} failed inside the router; not acknowledging it", message, failure);
        return failure instanceof Error error ? DispatchResult.fatal(0, error) : DispatchResult.failed(0, failure);
    }

    /**
     * The {@code event_id} header, else an id derived from the source position, so a message
     * without an id keeps the same one across redeliveries.
     */
    static String eventIdOf(InboundMessage message) {
        return EventIds.of(message);
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
    public Set<String> redeliveredTypes() {
        Set<String> types = new TreeSet<>();
        routes.forEach((type, route) -> {
            if (route.retry.mode() == RetryMode.REDELIVER) {
                types.add(type);
            }
        });
        return Set.copyOf(types);
    }

    @Override
    public void close() {
        retries.close();
        if (ownedTimer != null) {
            ownedTimer.shutdownNow();
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }
}
