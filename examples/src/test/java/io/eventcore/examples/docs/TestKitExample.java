package io.eventcore.examples.docs;

// snippet:testing
import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EventCollector;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.ManualClock;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.OutboundMessage;
import java.math.BigDecimal;
import java.time.Duration;

class TestKitExample {
    record OrderCreated(String orderId, BigDecimal total) {
    }

    static void run() {
        ManualClock clock = new ManualClock();
        InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
        EventCollector<OrderCreated> created = new EventCollector<>();
        EventRouter router = EventRouter.builder()
            .route(OrderCreated.class, created)
            .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3))
            .deadLetter(dlq)
            .clock(clock).scheduler(clock)          // retry delays run when you advance the clock
            .build();

        InMemoryBroker broker = new InMemoryBroker();
        EventConsumer consumer = broker.consumer("orders-service", "order-events", router).build();
        consumer.start();
        broker.publisher().send(OutboundMessage.of("order-events",
                Event.of("order-1", new OrderCreated("order-1", BigDecimal.TEN)), EventCodec.json()));
        created.awaitCount(1, Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
// end:testing
