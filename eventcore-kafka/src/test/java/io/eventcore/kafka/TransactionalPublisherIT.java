package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.transport.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;

/** The publisher's transactional mode and the build-time check that a cluster can host transactions. */
class TransactionalPublisherIT {
    record Note(String text) {
    }

    private static List<String> read(String topic, String isolation, int atLeast) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers(), "isolation.level", isolation), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            await().pollInSameThread().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return values.size() >= atLeast;
            });
        }
        return values;
    }

    @Test
    void transactionalBatch_isVisibleWhole_andAFailedBatchNotAtAll() {
        String topic = "tx-pub-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic);
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topic(topic).properties(Map.of("max.request.size", 2000)).transactional(true).build()) {
            List<OutboundMessage> failing = List.of(
                    OutboundMessage.of(topic, Event.of("Note", "k", new Note("doomed")), io.eventcore.codec.EventCodec.json()),
                    new OutboundMessage(topic, "k", new byte[5000], List.of()));
            assertThat(publisher.sendAll(failing).toCompletableFuture()).as("a batch with a record too large")
                    .failsWithin(Duration.ofSeconds(30));
            publisher.publishAll(List.of(Event.of("Note", "k", new Note("one")), Event.of("Note", "k", new Note("two"))))
                    .toCompletableFuture().join();
            publisher.publish(Event.of("Note", "k", new Note("three"))).toCompletableFuture().join();
        }
        List<String> committed = read(topic, "read_committed", 3);
        assertThat(committed).as("only the committed batches, in order").hasSize(3);
        assertThat(String.join(",", committed)).contains("one").contains("two").contains("three")
                .doesNotContain("doomed");
    }

    @Test
    void transactionalPublisher_onAClusterThatCannotHostTransactions_failsAtBuild_namingTheBrokerSetting()
            throws Exception {
        try (KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "3")
                .build()) {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            assertThatThrownBy(() -> KafkaEventPublisher.builder().bootstrapServers(kit.bootstrapServers()).topic("t")
                    .transactional(true).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("transaction.state.log.replication.factor=3")
                    .hasMessageContaining("transactional");
        }
    }
}
