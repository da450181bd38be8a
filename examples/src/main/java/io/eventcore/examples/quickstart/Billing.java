package io.eventcore.examples.quickstart;

// snippet:quickstart
import io.eventcore.Event;
import io.eventcore.EventType;
import io.eventcore.NonRetryableException;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.time.Duration;

public final class Billing {
    @EventType("PaymentRequested")
    public record PaymentRequested(String orderId, long amountCents) {
    }

    public interface Gateway {
        void charge(PaymentRequested payment) throws Exception;
    }

    /** A consumer of "payments": retries a failed charge, dead-letters to "payments.dlq" with the original bytes. */
    public static KafkaEventConsumer consumer(KafkaClientSettings kafka, Gateway gateway) {
        EventRouter router = EventRouter.builder()
                .route(PaymentRequested.class, (event, ctx) -> {
                    if (event.payload().amountCents() <= 0) {
                        throw new NonRetryableException("amount must be positive");   // dead-lettered at once
                    }
                    gateway.charge(event.payload());   // an exception here is retried, then dead-lettered
                })
                .retry(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).maxAttempts(5))
                .deadLetter(KafkaDeadLetterSink.builder().client(kafka).build())
                .build();
        return KafkaEventConsumer.builder().client(kafka).groupId("billing").topics("payments")
                .router(router).ordering(Ordering.KEY).maxConcurrency(64).build();
    }

    /** Publishes one payment request, keyed by its order: one key's events are handled in order. */
    public static void request(KafkaEventPublisher publisher, PaymentRequested payment) {
        publisher.publish(Event.of(payment.orderId(), payment)).toCompletableFuture().join();
    }

    public static void main(String[] args) {
        KafkaClientSettings kafka = KafkaClientSettings.of(args.length > 0 ? args[0] : "localhost:9092");
        KafkaEventConsumer consumer = consumer(kafka, payment -> System.out.println("charged " + payment));
        consumer.start();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().client(kafka).topic("payments").build()) {
            request(publisher, new PaymentRequested("order-1", 4_200));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> consumer.close(Duration.ofSeconds(30))));
    }
}
// end:quickstart
