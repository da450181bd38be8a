package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.transport.ConsumerHealth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link KafkaShareEventConsumer} on a real broker: work shared, retries counted by the broker, dead letters. */
class ShareConsumerIT {
    record Job(String id, int fail) {
    }

    private static String topic(int partitions) {
        String topic = "share-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(partitions, topic, topic + ".dlq");
        return topic;
    }

    private static KafkaShareEventConsumer member(String group, String topic, EventRouter router) {
        return KafkaShareEventConsumer.builder().bootstrapServers(EmbeddedKafka.bootstrapServers()).groupId(group)
                .topics(topic).router(router).maxConcurrency(4)
                .properties(Map.of("max.poll.records", "10", "share.acquire.mode", "record_limit")).build();
    }

    private static void publish(String topic, List<Job> jobs) {
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder()
                .bootstrapServers(EmbeddedKafka.bootstrapServers()).topic(topic).build()) {
            List<Event<?>> events = new ArrayList<>();
            jobs.forEach(j -> events.add(Event.of(j.id(), j)));
            publisher.publishAll(events).toCompletableFuture().join();
        }
    }

    @Test
    void threeMembersOnOnePartition_shareTheWork_andHandleEachJobOnce() {
        String topic = topic(1);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            jobs.add(new Job("j-" + i, 0));
        }
        String group = "share-work-" + topic;
        List<String> handled = new CopyOnWriteArrayList<>();
        Map<Integer, AtomicInteger> perMember = new ConcurrentHashMap<>();
        List<KafkaShareEventConsumer> members = new ArrayList<>();
        List<EventRouter> routers = new ArrayList<>();
        try {
            for (int m = 0; m < 3; m++) {
                int member = m;
                perMember.put(member, new AtomicInteger());
                EventRouter router = EventRouter.builder().route(Job.class, (event, ctx) -> {
                    Thread.sleep(10); // simulated work, so that the members overlap
                    handled.add(event.payload().id());
                    perMember.get(member).incrementAndGet();
                }).build();
                routers.add(router);
                KafkaShareEventConsumer consumer = member(group, topic, router);
                members.add(consumer);
                consumer.start();
            }
            // All three in the group before the jobs arrive: otherwise the first two may finish them alone.
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()))) {
                Awaitility.await("three members joined, each assigned the partition").atMost(Duration.ofSeconds(60))
                        .ignoreExceptions().until(() -> {
                            var joined = admin.describeShareGroups(List.of(group)).describedGroups().get(group).get()
                                    .members();
                            return joined.size() == 3
                                    && joined.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                        });
            }
            publish(topic, jobs);
            Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> handled.size() >= 300);
            assertThat(handled).doesNotHaveDuplicates().hasSize(300);
            assertThat(perMember.values()).as("each member handled some jobs: %s", perMember)
                    .allSatisfy(n -> assertThat(n.get()).isPositive());
            assertThat(members.get(0).health().status()).isEqualTo(ConsumerHealth.Status.UP);
        } finally {
            members.forEach(c -> c.close(Duration.ofSeconds(10)));
            routers.forEach(EventRouter::close);
        }
        assertThat(members.get(0).health().status()).isEqualTo(ConsumerHealth.Status.STOPPED);
    }

    @Test
    void aFailingJob_isReleasedAndRetriedWithTheBrokersDeliveryCount_thenDeadLetteredWithItsBytes_andPoisonToo() {
        String topic = topic(1);
        List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
        Set<String> done = ConcurrentHashMap.newKeySet();
        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .build();
        EventRouter router = EventRouter.builder().route(Job.class, (event, ctx) -> {
            if (event.payload().fail() > 0) {
                attemptsSeen.add(ctx.attempt());
                if (ctx.attempt() <= event.payload().fail()) {
                    throw new IllegalStateException("partner down for " + event.payload().id());
                }
            }
            if (event.payload().fail() < 0) {
                throw new NonRetryableException("bad job " + event.payload().id());
            }
            done.add(event.payload().id());
        }, o -> o.retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3).mode(RetryMode.REDELIVER)))
                .deadLetter(dlq).build();
        publish(topic, List.of(new Job("flaky", 2), new Job("broken", 9), new Job("rejected", -1),
                new Job("fine", 0)));
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> poison = new ProducerRecord<>(topic, "poison".getBytes(StandardCharsets.UTF_8),
                    "not json".getBytes(StandardCharsets.UTF_8));
            poison.headers().add(EventHeaders.EVENT_TYPE, "Job".getBytes(StandardCharsets.UTF_8));
            raw.send(poison);
        }
        KafkaShareEventConsumer consumer = member("share-retry-" + topic, topic, router);
        try {
            consumer.start();
            List<ConsumerRecord<byte[], byte[]>> letters = read(topic + ".dlq", 3);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> done.containsAll(Set.of("flaky", "fine")));
            assertThat(letters).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("broken", "rejected", "poison");
            assertThat(letters).filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("poison"))
                    .singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(
                            "not json".getBytes(StandardCharsets.UTF_8)));
            assertThat(letters).filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals("broken"))
                    .singleElement().satisfies(r -> assertThat(new String(r.headers().lastHeader(
                            KafkaDeadLetterSink.ATTEMPTS).value(), StandardCharsets.UTF_8)).isEqualTo("3"));
            // flaky: deliveries 1 and 2 failed and were released, delivery 3 succeeded; broken: 1, 2, 3
            assertThat(attemptsSeen).containsOnly(1, 2, 3).hasSize(6);
        } finally {
            consumer.close(Duration.ofSeconds(10));
            router.close();
            dlq.close();
        }
    }

    @Test
    void aHandlerSlowerThanTheLock_keepsItsRecord_byRenewal() throws Exception {
        String topic = topic(1);
        String group = "share-slow-" + topic;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedKafka.bootstrapServers()))) {
            // A 2 s acquisition lock for this group; the handler takes 5 s.
            admin.incrementalAlterConfigs(Map.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.GROUP, group), List.of(
                    new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                            "share.record.lock.duration.ms", "2000"),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
        List<Integer> deliveries = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder().route(Job.class, (event, ctx) -> {
            deliveries.add(ctx.message().header(EventHeaders.ATTEMPT) == null ? 1
                    : Integer.parseInt(ctx.message().header(EventHeaders.ATTEMPT)));
            Thread.sleep(5_000);
        }).build();
        List<KafkaShareEventConsumer> members = new ArrayList<>();
        try {
            for (int m = 0; m < 2; m++) { // a second member would get the record if its lock expired
                KafkaShareEventConsumer member = KafkaShareEventConsumer.builder()
                        .bootstrapServers(EmbeddedKafka.bootstrapServers()).groupId(group).topics(topic).router(router)
                        .renewAfter(Duration.ofMillis(700)).build();
                members.add(member);
                member.start();
            }
            publish(topic, List.of(new Job("slow", 0)));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> members.stream()
                    .anyMatch(c -> c.health().detail().contains("1 acknowledged")));
            assertThat(deliveries).as("delivered once: the lock was renewed while the handler ran").containsExactly(1);
        } finally {
            members.forEach(c -> c.close(Duration.ofSeconds(10)));
            router.close();
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers(), "group.id", "dlq-reader-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }
}
