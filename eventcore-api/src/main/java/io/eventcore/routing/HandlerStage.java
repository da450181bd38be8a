package io.eventcore.routing;

import io.eventcore.EventContext;
import io.eventcore.EventcoreException;
import io.eventcore.SkipEventException;
import io.eventcore.InboundMessage;
import io.eventcore.internal.HandlerAttempt;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.MDC;

/**
 * The end of the chain: calls the route's handler (or raw handler) with the MDC set (event id and
 * type, topic, partition, offset) and times the attempt. Anything thrown, {@link Error}s included,
 * becomes the attempt's failure; the retry stage decides what follows.
 */
final class HandlerStage implements Stage {
    static final String MDC_EVENT_ID = "event_id";
    static final String MDC_EVENT_TYPE = "event_type";
    static final String MDC_TOPIC = "topic";
    static final String MDC_PARTITION = "partition";
    static final String MDC_OFFSET = "offset";
    /** The MDC values of the first partitions, made once. */
    private static final String[] PARTITIONS = new String[256];

    static {
        for (int i = 0; i < PARTITIONS.length; i++) {
            PARTITIONS[i] = Integer.toString(i);
        }
    }

    private final EventMetrics metrics;
    private final boolean timed;

    HandlerStage(EventMetrics metrics) {
        this.metrics = metrics;
        this.timed = metrics != EventMetrics.noop();
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        Route<?> route = exchange.route();
        EventContext context = exchange.context();
        // A typed route reports the event the last middleware passed on; a raw one has the exchange's.
        String id = route.raw != null ? exchange.eventId() : exchange.event().id();
        String type = route.raw != null ? route.type : exchange.event().type();
        InboundMessage m = context.message();
        int partition = m.partition();
        MDC.put(MDC_EVENT_ID, id);
        MDC.put(MDC_EVENT_TYPE, type);
        MDC.put(MDC_TOPIC, m.topic());
        MDC.put(MDC_PARTITION, partition < PARTITIONS.length ? PARTITIONS[partition] : Integer.toString(partition));
        MDC.put(MDC_OFFSET, Long.toString(m.offset()));
        long start = timed ? System.nanoTime() : 0;
        CompletionStage<?> stage;
        HandlerAttempt outer = HandlerAttempt.current();
        // The exchange's message, not the context's: a middleware may pass on a context of its own.
        HandlerAttempt attempt = exchange.attempt() != null ? exchange.attempt().enter()
                : HandlerAttempt.enter(exchange.message());
        try {
            stage = invoke(route, exchange, context);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new EventcoreException(
                        "handler " + route.name + " returned a null stage", null, id, type));
            }
        } catch (Throwable t) {
            // Errors travel as the failure too; the retry stage turns them into a fatal outcome.
            stage = CompletableFuture.failedFuture(t);
        } finally {
            HandlerAttempt.restore(outer);
            MDC.remove(MDC_EVENT_ID);
            MDC.remove(MDC_EVENT_TYPE);
            MDC.remove(MDC_TOPIC);
            MDC.remove(MDC_PARTITION);
            MDC.remove(MDC_OFFSET);
        }
        CompletableFuture<?> own = Stage.own(stage);
        if (own.isCompletedExceptionally()) {
            attempt.fail(); // before the retry stage can start the next attempt
        }
        if (Stage.settled(own)) {
            record(type, route, start, true);
            return StageResult.ATTEMPT_SUCCEEDED.stage();
        }
        return own.handle((ok, failure) -> {
            boolean success = failure == null;
            if (!success) {
                attempt.fail();
            }
            record(type, route, start, success || MiddlewareStage.unwrap(failure) instanceof SkipEventException);
            return success ? StageResult.ATTEMPT_SUCCEEDED : StageResult.attemptFailed(MiddlewareStage.unwrap(failure));
        });
    }

    private static CompletionStage<?> invoke(Route<?> route, Exchange exchange, EventContext context) {
        if (route.raw == null) {
            return route.invoke(exchange.event(), context);
        }
        try {
            route.raw.handle(context.message(), context);
            return Route.DONE;
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void record(String type, Route<?> route, long start, boolean success) {
        if (timed) {
            metrics.handlerAttempt(type, route.name, Duration.ofNanos(System.nanoTime() - start), success);
        }
    }
}
