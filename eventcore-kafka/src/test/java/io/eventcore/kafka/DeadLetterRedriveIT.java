package io.eventcore.kafka;

import io.eventcore.test.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.test.EventCollector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DeadLetterRedriveIT {
    record Payment(String id) {
    }

    @Test
    void deadLettersAreRedrivenToTheirTopic_withOriginalHeaders_afterTheFix() throws Exception {
        String topic = "redrive-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(2, topic, topic + ".dlq");
        String bootstrap = EmbeddedKafka.bootstrapServers();
        AtomicBoolean broken = new AtomicBoolean(true);
        EventCollector<Payment> handled = new EventCollector<>();
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build();
             EventRouter router = EventRouter.builder().route(Payment.class, (e, c) -> {
                 if (broken.get() && e.payload().id().startsWith("p")) {
                     throw new NonRetryableException("bug in handler");
                 }
                 handled.handle(e, c);
             }).retry(RetryPolicy.none()).deadLetter(sink).build();
             KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                     .groupId("g-" + topic).topics(topic).router(router).build();
             KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(topic)
                     .build()) {
            consumer.start();
            List<Event<Payment>> sent = List.of(
                    Event.of("a", new Payment("p1")).withHeaders(java.util.Map.of(EventHeaders.TRACEPARENT, "tp-1")),
                    Event.of("b", new Payment("p2")), Event.of("c", new Payment("ok")));
            publisher.publishAll(sent).toCompletableFuture().join();
            handled.awaitCount(1, Duration.ofSeconds(30));

            ByteArrayOutputStream dryOut = new ByteArrayOutputStream();
            await().atMost(Duration.ofSeconds(30)).until(() -> DeadLetterRedrive.builder().bootstrapServers(bootstrap)
                    .dlqTopic(topic + ".dlq").dryRun(true).output(new PrintStream(new ByteArrayOutputStream()))
                    .build().run().selected() == 2);
            DeadLetterRedrive.Report dry = DeadLetterRedrive.builder().bootstrapServers(bootstrap)
                    .dlqTopic(topic + ".dlq").exception("NonRetryableException").dryRun(true)
                    .output(new PrintStream(dryOut, true, StandardCharsets.UTF_8)).build().run();
            assertThat(dry).isEqualTo(new DeadLetterRedrive.Report(2, 2, 0));
            assertThat(dryOut.toString(StandardCharsets.UTF_8)).contains("would redrive").contains("(dry run)");
            assertThat(DeadLetterRedrive.builder().bootstrapServers(bootstrap).dlqTopic(topic + ".dlq")
                    .eventType("Other").dryRun(true).output(new PrintStream(new ByteArrayOutputStream())).build().run()
                    .selected()).isZero();
            assertThat(DeadLetterRedrive.builder().bootstrapServers(bootstrap).dlqTopic(topic + ".dlq")
                    .from(Instant.now().plusSeconds(3600)).dryRun(true)
                    .output(new PrintStream(new ByteArrayOutputStream())).build().run().selected()).isZero();

            broken.set(false);
            DeadLetterRedrive.Report done = DeadLetterRedrive.builder().bootstrapServers(bootstrap)
                    .dlqTopic(topic + ".dlq").eventType("Payment").output(new PrintStream(new ByteArrayOutputStream()))
                    .build().run();
            assertThat(done.republished()).isEqualTo(2);
            handled.awaitCount(3, Duration.ofSeconds(30));
            Event<Payment> p1 = handled.awaitEvent(e -> e.payload().id().equals("p1"), Duration.ofSeconds(5));
            assertThat(p1.id()).isEqualTo(sent.get(0).id());
            assertThat(p1.key()).isEqualTo("a");
            assertThat(p1.headers()).containsEntry(EventHeaders.TRACEPARENT, "tp-1");
            assertThat(p1.headers().keySet()).noneMatch(k -> k.startsWith(EventHeaders.DEAD_LETTER_PREFIX));
        }
    }
}
