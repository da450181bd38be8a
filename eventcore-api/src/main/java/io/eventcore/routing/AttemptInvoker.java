package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventcoreException;
import io.eventcore.HandlerTimeoutException;
import io.eventcore.InboundMessage;
import io.eventcore.Scheduler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.MDC;

/**
 * One handler attempt: the timeout stage around the user middleware chain around the handler.
 * MDC and the handler timer wrap the handler call itself.
 */
final class AttemptInvoker {
    static final String MDC_EVENT_ID = "event_id";
    static final String MDC_EVENT_TYPE = "event_type";
    static final String MDC_TOPIC = "topic";
    static final String MDC_PARTITION = "partition";
    static final String MDC_OFFSET = "offset";

    private final List<Middleware> middleware;
    private final EventMetrics metrics;
    private final Scheduler scheduler;

    AttemptInvoker(List<Middleware> middleware, EventMetrics metrics, Scheduler scheduler) {
        this.middleware = List.copyOf(middleware);
        this.metrics = metrics;
        this.scheduler = scheduler;
    }

    CompletionStage<Void> invoke(Route<?> route, Event<?> event, EventContext context) {
        CompletableFuture<Void> attempt = new CompletableFuture<>();
        proceed(0, route, event, context).whenComplete((ok, failure) -> {
            if (failure != null) {
                attempt.completeExceptionally(failure);
            } else {
                attempt.complete(null);
            }
        });
        // A stage still pending after the call returns is bounded by the route's timeout. A
        // synchronous handler has completed by now, so the hot path schedules nothing.
        if (!attempt.isDone()) {
            Scheduler.Cancellable timer = scheduler.schedule(() -> attempt.completeExceptionally(
                    new HandlerTimeoutException(route.name, route.timeout, event.id(), event.type())), route.timeout);
            attempt.whenComplete((ok, failure) -> timer.cancel());
        }
        return attempt;
    }

    private CompletionStage<Void> proceed(int index, Route<?> route, Event<?> event, EventContext context) {
        if (index == middleware.size()) {
            return callHandler(route, event, context);
        }
        try {
            CompletionStage<Void> stage = middleware.get(index)
                    .invoke(event, context, (e, c) -> proceed(index + 1, route, e, c));
            return stage != null ? stage : CompletableFuture.failedFuture(
                    new EventcoreException("middleware " + middleware.get(index) + " returned null"));
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    private CompletionStage<Void> callHandler(Route<?> route, Event<?> event, EventContext context) {
        InboundMessage m = context.message();
        MDC.put(MDC_EVENT_ID, event.id());
        MDC.put(MDC_EVENT_TYPE, event.type());
        MDC.put(MDC_TOPIC, m.topic());
        MDC.put(MDC_PARTITION, Integer.toString(m.partition()));
        MDC.put(MDC_OFFSET, Long.toString(m.offset()));
        long start = System.nanoTime();
        CompletionStage<Void> stage;
        try {
            stage = route.invoke(event, context);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(
                        new EventcoreException("handler " + route.name + " returned a null stage", null, event.id(),
                                event.type()));
            }
        } catch (Throwable t) {
            // Errors travel as the failure too; the retry stage turns them into a fatal outcome.
            stage = CompletableFuture.failedFuture(t);
        } finally {
            MDC.remove(MDC_EVENT_ID);
            MDC.remove(MDC_EVENT_TYPE);
            MDC.remove(MDC_TOPIC);
            MDC.remove(MDC_PARTITION);
            MDC.remove(MDC_OFFSET);
        }
        return stage.whenComplete((ok, failure) -> metrics.handlerAttempt(event.type(), route.name,
                Duration.ofNanos(System.nanoTime() - start), failure == null));
    }
}
