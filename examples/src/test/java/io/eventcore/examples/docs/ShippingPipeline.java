package io.eventcore.examples.docs;

// snippet:exactly-once
import io.eventcore.Event;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.routing.EventRouter;

class ShippingPipeline {
    record OrderPaid(String orderId) {
    }

    record ShipmentRequested(String orderId) {
    }

    static KafkaEventConsumer consumer(KafkaClientSettings client) {
        KafkaEventPublisher shipments = KafkaEventPublisher.builder().client(client).topic("shipments").build();
        KafkaDeadLetterSink deadLetters = KafkaDeadLetterSink.builder().client(client).build();
        EventRouter router = EventRouter.builder()
                .route(OrderPaid.class, (event, ctx) -> shipments.publish(Event.of("ShipmentRequested",
                        event.key(), new ShipmentRequested(event.payload().orderId()))))
                .deadLetter(deadLetters)
                .build();
        return KafkaEventConsumer.builder().client(client)
                .groupId("shipping").topics("orders").router(router)
                .exactlyOnce(shipments, deadLetters)
                .build();
    }
}
// end:exactly-once
