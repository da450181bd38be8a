package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventcore.EventHeaders;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reproductions of defects around RETRY_LATER / retry topics against the embedded broker. */
class RetryTopicDefectsIT {
    record Order(String id) {
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    /** A raw record with an event_type header and no event_id header. */
    private static void produceRaw(String topic, String key, String id) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            r.headers().add(EventHeaders.EVENT_TYPE, "Order".getBytes(StandardCharsets.UTF_8));
            p.send(r).get();
        }
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()))) {
            var om = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            return om == null ? -1 : om.offset();
        }
    }

    private static RetryPolicy redeliverOnce() {
        return RetryPolicy.fixed(Duration.ofMillis(100)).maxAttempts(3).mode(RetryMode.REDELIVER);
    }

    /**
     * retryTopics(false): the consumer does not read a retry topic, so a REDELIVER route would write its
     * retries where nobody reads them while the original offset is committed: the event would never be
     * handled again. Such a consumer must not be built; the rejection names the route.
     */
    @Test
    void retryTopicsDisabled_redeliveredEventIsNeverHandledAgain() throws Exception {
        // The reproduction's name is kept; issue 12 turned its assertion into "build() rejects the REDELIVER route".
        String topic = "defect-noretry-" + UUID.randomUUID();
        String bootstrap = EmbeddedKafka.bootstrapServers();
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("transient");
            }
        }).retry(redeliverOnce()).build());
        String group = "g-" + topic;
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).retryTopics(false).commitInterval(Duration.ofMillis(100)).build())
                .as("a REDELIVER route without retry topics would lose the event")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retryTopics(false)").hasMessageContaining("'Order'")
                .hasMessageContaining("REDELIVER");
        assertThat(calls.get()).isZero();
    }

    /**
     * The retry topic is per source topic, not per consumer group: a copy written by group A after its
     * handler failed is consumed by every other group of the topic, which already handled the event. For
     * group B (default IN_PLACE policy, KEY order) the old event comes back after a newer one of its key.
     */
    @Test
    void retryCopyOfOneGroup_isHandledAgainByAnotherGroup() throws Exception {
        String topic = "defect-groups-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic, KafkaEventConsumer.defaultRetryTopic(topic, "A-" + topic));
        String bootstrap = EmbeddedKafka.bootstrapServers();
        AtomicInteger failuresA = new AtomicInteger();
        List<String> seenA = new CopyOnWriteArrayList<>();
        List<String> seenB = new CopyOnWriteArrayList<>();
        EventRouter routerA = track(EventRouter.builder().route(Order.class, (e, c) -> {
            seenA.add(e.payload().id());
            if (e.payload().id().equals("a") && failuresA.incrementAndGet() == 1) {
                throw new IllegalStateException("group A transient failure");
            }
        }).retry(redeliverOnce()).build());
        EventRouter routerB = track(EventRouter.builder().route(Order.class, (e, c) -> seenB.add(e.payload().id()))
                .build());
        KafkaEventConsumer a = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId("A-" + topic)
                .topics(topic).router(routerA).build());
        KafkaEventConsumer b = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId("B-" + topic)
                .topics(topic).router(routerB).build());
        a.start();
        b.start();
        produceRaw(topic, "k", "a");
        produceRaw(topic, "k", "b");

        await().atMost(Duration.ofSeconds(30)).until(() -> seenA.size() >= 3 && seenB.size() >= 2);
        Thread.sleep(3_000);
        System.out.printf("shared retry topic: group A saw %s; group B (never failed) saw %s%n", seenA, seenB);
        assertThat(seenB).as("group B never failed; it must see each event once, in key order")
                .containsExactly("a", "b");
    }

    /**
     * A record without an event_id header gets an id derived from topic/partition/offset; its retry-topic
     * copy has another position, hence another id, so handlers deduplicating by event.id() see a new event.
     */
    @Test
    void eventIdOfARecordWithoutIdHeader_changesWhenRedeliveredThroughTheRetryTopic() throws Exception {
        String topic = "defect-ids-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic, KafkaEventConsumer.defaultRetryTopic(topic, "g-" + topic));
        String bootstrap = EmbeddedKafka.bootstrapServers();
        List<String> ids = new CopyOnWriteArrayList<>();
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> {
            ids.add(e.id());
            if (ids.size() == 1) {
                throw new IllegalStateException("transient");
            }
        }).retry(redeliverOnce()).build());
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                .groupId("g-" + topic).topics(topic).router(router).build());
        consumer.start();
        produceRaw(topic, "k", "a");

        await().atMost(Duration.ofSeconds(30)).until(() -> ids.size() >= 2);
        System.out.printf("event ids across redelivery: %s%n", ids);
        assertThat(ids.get(1)).as("event.id() must be stable across redeliveries").isEqualTo(ids.get(0));
    }

    /**
     * README: KafkaDeadLetterSink writes to {@code <topic>.dlq}. An event exhausted while consumed from the
     * retry topic (every REDELIVER event ends there) goes to {@code <topic>.retry.dlq} instead.
     */
    @Test
    void eventExhaustedInTheRetryTopic_isDeadLetteredToTopicDotRetryDotDlq() throws Exception {
        String topic = "defect-dlqname-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic, KafkaEventConsumer.defaultRetryTopic(topic, "g-" + topic), topic + ".dlq");
        String bootstrap = EmbeddedKafka.bootstrapServers();
        KafkaDeadLetterSink sink = track(KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build());
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("always fails");
        }).retry(RetryPolicy.fixed(Duration.ofMillis(100)).maxAttempts(2).mode(RetryMode.REDELIVER))
                .deadLetter(sink).build());
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                .groupId("g-" + topic).topics(topic).router(router).build());
        consumer.start();
        produceRaw(topic, "k", "a");

        await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() >= 2);
        Thread.sleep(3_000);
        long inDlq = KafkaTopics.endOffsets(bootstrap, topic + ".dlq");
        long inRetryDlq;
        try {
            inRetryDlq = KafkaTopics.endOffsets(bootstrap,
                    KafkaEventConsumer.defaultRetryTopic(topic, "g-" + topic) + ".dlq");
        } catch (IllegalStateException missing) {
            inRetryDlq = -1;
        }
        System.out.printf("dlq naming: handler calls=%d, %s.dlq=%d, %s.retry.dlq=%d%n", calls.get(), topic,
                inDlq, topic, inRetryDlq);
        assertThat(inDlq).as("the dead letter belongs in <topic>.dlq").isEqualTo(1);
    }

    /**
     * The dead letter of an event exhausted in the retry topic carries the ORIGINAL position (topic,
     * partition, offset) in its headers, and redrive sends it back to the original topic.
     */
    @Test
    void deadLetterOfARetryCopy_namesTheOriginalPosition_andRedrivesToTheOriginalTopic() throws Exception {
        String topic = "retry-dlq-origin-" + UUID.randomUUID();
        String group = "g-" + topic;
        EmbeddedKafka.createTopics(1, topic, KafkaEventConsumer.defaultRetryTopic(topic, group), topic + ".dlq");
        String bootstrap = EmbeddedKafka.bootstrapServers();
        KafkaDeadLetterSink sink = track(KafkaDeadLetterSink.builder().bootstrapServers(bootstrap).build());
        AtomicInteger calls = new AtomicInteger();
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("always fails");
        }).retry(RetryPolicy.fixed(Duration.ofMillis(100)).maxAttempts(2).mode(RetryMode.REDELIVER))
                .deadLetter(sink).build());
        KafkaEventConsumer consumer = track(KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                .groupId(group).topics(topic).router(router).build());
        consumer.start();
        produceRaw(topic, "k", "a");

        await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTopics.endOffsets(bootstrap, topic + ".dlq") == 1);
        Map<String, String> headers = new java.util.HashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> reader =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            TopicPartition dlq = new TopicPartition(topic + ".dlq", 0);
            reader.assign(List.of(dlq));
            reader.seekToBeginning(List.of(dlq));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(r -> r.headers().forEach(
                        h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8))));
                return !headers.isEmpty();
            });
        }
        assertThat(headers).containsEntry("eventcore_dlq_topic", topic).containsEntry("eventcore_dlq_partition", "0")
                .containsEntry("eventcore_dlq_offset", "0").containsEntry("eventcore_dlq_attempts", "2")
                .doesNotContainKey(EventHeaders.ORIGINAL_TOPIC);

        DeadLetterRedrive.Report report = DeadLetterRedrive.builder().bootstrapServers(bootstrap)
                .dlqTopic(topic + ".dlq").output(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                .build().run();
        assertThat(report.republished()).isEqualTo(1);
        assertThat(KafkaTopics.endOffsets(bootstrap, topic)).as("redriven to the original topic").isEqualTo(2);
    }

    /**
     * EventConsumer.close(timeout): "waits up to timeout for in-flight messages". KafkaEventConsumer ignores
     * the timeout for the drain (it uses drainTimeout), and consumer.close() calls onPartitionsRevoked,
     * which drains a second time.
     */
    @Test
    void closeTimeout_isNotTheDrainBound_andTheDrainRunsTwice() throws Exception {
        String topic = "defect-close-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic);
        String bootstrap = EmbeddedKafka.bootstrapServers();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        EventRouter router = track(EventRouter.builder().route(Order.class, (e, c) -> {
            started.countDown();
            Thread.sleep(20_000);
        }).build());
        String group = "g-" + topic;
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).drainTimeout(Duration.ofSeconds(3)).build();
        consumer.start();
        produceRaw(topic, "k", "slow");
        assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        consumer.close(Duration.ofMillis(200));
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        Thread poll = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("eventcore-kafka-poll-" + group)).findFirst().orElse(null);
        boolean pollAliveAfterClose = poll != null && poll.isAlive();
        if (poll != null) {
            poll.join(20_000);
        }
        long pollMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("close(200ms), drainTimeout 3s: close returned after %d ms; poll thread alive after"
                + " close=%s; poll thread ended after %d ms%n", closeMs, pollAliveAfterClose, pollMs);
        assertThat(closeMs).as("close(200 ms) should not block for much longer than 200 ms").isLessThan(1_500);
    }
}
