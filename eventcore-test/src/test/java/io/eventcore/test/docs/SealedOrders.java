package io.eventcore.test.docs;

// snippet:json
import io.eventcore.EventHandler;
import io.eventcore.EventType;
import io.eventcore.codec.EventCodec;
import io.eventcore.codec.JsonEventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.routing.EventRouter;
import io.eventcore.validation.BeanValidation;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

public class SealedOrders {
    public sealed interface OrderEvent permits OrderPlaced, OrderCancelled {
    }

    @EventType("OrderPlaced")
    public record OrderPlaced(@NotBlank String orderId, @Positive long amountCents) implements OrderEvent {
    }

    @EventType("OrderCancelled")
    public record OrderCancelled(@NotBlank String orderId, String reason) implements OrderEvent {
    }

    public static final EventCodec CODEC = JsonEventCodec.builder()
            .strict(true)                       // "123" is not a number, every record component required
            .failOnUnknownProperties(false)     // the default: producers may add fields
            .build();

    public static EventRouter router(EventHandler<OrderPlaced> placed, EventHandler<OrderCancelled> cancelled,
            DeadLetterSink deadLetterSink) {
        return EventRouter.builder()
            .codec(CODEC)
            .middleware(BeanValidation.middleware())   // jakarta.validation + Hibernate Validator on the classpath
            .routesFor(OrderEvent.class)               // build() fails if a permitted subtype has no route
            .route(OrderPlaced.class, placed)
            .route(OrderCancelled.class, cancelled)
            .deadLetter(deadLetterSink)
            .build();
    }
}
// end:json
