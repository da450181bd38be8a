package io.eventcore.examples.docs;

// snippet:router
import io.eventcore.EventType;
import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.Middleware;
import io.eventcore.routing.UnknownTypePolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

class OrderRouting {
    @EventType("OrderCreated")
    record OrderCreated(String orderId, BigDecimal total) {
    }

    static CompletionStage<DispatchResult> dispatch(InboundMessage inboundMessage, Services services,
            DeadLetterSink deadLetterSink, Middleware tracing, MeterRegistry meterRegistry) {
        EventRouter router = EventRouter.builder()
            .route(OrderCreated.class, (event, ctx) -> services.onCreated(event.payload()))
            .route("OrderShipped", OrderShipped.class, (event, ctx) -> services.onShipped(event.payload()))
            .routeAsync(OrderCancelled.class, (event, ctx) -> services.refundAsync(event.payload()))
            .retry(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5))
                .maxAttempts(5).jitter(0.2)
                .retryOn(TransientException.class).abortOn(PermanentException.class))
            .deadLetter(deadLetterSink)                    // where exhausted/permanent failures go
            .onUnknownType(UnknownTypePolicy.DEAD_LETTER)  // default; or SKIP, FAIL
            .middleware(tracing)                           // runs once per attempt
            .metrics(MicrometerMetrics.of(meterRegistry))  // optional micrometer-core
            .build();
        return router.dispatch(inboundMessage);
    }
}
// end:router

record OrderShipped(String orderId) {
}

record OrderCancelled(String orderId, String reason) {
}

class TransientException extends RuntimeException {
}

class PermanentException extends RuntimeException {
}

/** The application's collaborators the snippets call. */
interface Services {
    void onCreated(OrderRouting.OrderCreated order);

    void onShipped(OrderShipped order);

    java.util.concurrent.CompletionStage<Void> refundAsync(OrderCancelled order);
}
