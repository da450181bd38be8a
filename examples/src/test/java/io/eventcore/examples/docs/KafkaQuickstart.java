package io.eventcore.examples.docs;

// snippet:kafka
import io.eventcore.Event;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.UnknownTypePolicy;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.List;
import java.util.Map;

class KafkaQuickstart {
    static KafkaEventConsumer run(Services services, OrderRouting.OrderCreated order, List<Event<?>> events) {
        KafkaEventPublisher publisher = KafkaEventPublisher.builder()
            .bootstrapServers("localhost:9092")
            .topic("order-events")                       // or .topics(TopicNaming.perType("shop."))
            .properties(Map.of("compression.type", "lz4"))   // any producer property, passed through
            .build();                                     // enable.idempotence=true, acks=all by default
        publisher.publish(Event.of(order.orderId(), order));
        publisher.publishAll(events);                     // send the whole batch, then await it

        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers("localhost:9092").build();
        EventRouter router = EventRouter.builder()
            .route(OrderRouting.OrderCreated.class, (event, ctx) -> services.onCreated(event.payload()))
            .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(5).mode(RetryMode.REDELIVER))
            .deadLetter(dlq)                              // exhausted events -> order-events.dlq
            .onUnknownType(UnknownTypePolicy.DEAD_LETTER) // the default; SKIP only for types that are not yours
            .build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder()
            .bootstrapServers("localhost:9092")
            .groupId("billing")
            .topics("order-events")                      // + order-events.billing.retry (REDELIVER route)
            .router(router)
            .ordering(Ordering.KEY)                       // default; PARTITION, UNORDERED
            .maxConcurrency(64)                           // on JDK 21+ handlers run on virtual threads
            .build();
        consumer.start();
        return consumer;                                  // at shutdown: consumer.close(Duration.ofSeconds(30))
    }
}
// end:kafka
