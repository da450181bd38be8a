package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventcoreException;
import io.eventcore.InboundMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.MDC;

/**
 * The end of the chain: calls the route's handler with the MDC set (event id and type, topic,
 * partition, offset) and times the attempt. Anything thrown, {@link Error}s included, becomes the
 * attempt's failure; the retry stage decides what follows.
 */
final class HandlerStage implements Stage {
    static final String MDC_EVENT_ID = "event_id";
    static final String MDC_EVENT_TYPE = "event_type";
    static final String MDC_TOPIC = "topic";
    static final String MDC_PARTITION = "partition";
    static final String MDC_OFFSET = "offset";

    private final EventMetrics metrics;

    HandlerStage(EventMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        Route<?> route = exchange.route();
        Event<?> event = exchange.event();
        EventContext context = exchange.context();
        InboundMessage m = context.message();
        MDC.put(MDC_EVENT_ID, event.id());
        MDC.put(MDC_EVENT_TYPE, event.type());
        MDC.put(MDC_TOPIC, m.topic());
        MDC.put(MDC_PARTITION, Integer.toString(m.partition()));
        MDC.put(MDC_OFFSET, Long.toString(m.offset()));
        long start = System.nanoTime();
        CompletionStage<?> stage;
        try {
            stage = route.invoke(event, context);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new EventcoreException(
                        "handler " + route.name + " returned a null stage", null, event.id(), event.type()));
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
        return Stage.own(stage).handle((ok, failure) -> {
            boolean success = failure == null;
            metrics.handlerAttempt(event.type(), route.name, Duration.ofNanos(System.nanoTime() - start), success);
            return success ? StageResult.ATTEMPT_SUCCEEDED
                    : StageResult.attemptFailed(MiddlewareStage.unwrap(failure));
        });
    }
}
