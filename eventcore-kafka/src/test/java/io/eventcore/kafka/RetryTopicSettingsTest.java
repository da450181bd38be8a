package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retry-topic settings, the KIP-848 consumer properties, retry-copy positions and the redrive command line. */
class RetryTopicSettingsTest {
    private final EventRouter inPlace = EventRouter.builder().route("X", String.class, (e, c) -> { }).build();
    private final EventRouter redeliver = EventRouter.builder().route("X", String.class, (e, c) -> { })
            .route("Y", String.class, (e, c) -> { }, o -> o.retry(RetryPolicy.none()))
            .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(3).mode(RetryMode.REDELIVER)).build();

    @AfterEach
    void closeRouters() {
        inPlace.close();
        redeliver.close();
    }

    private static ConsumerSettings.Draft draft() {
        ConsumerSettings.Draft d = new ConsumerSettings.Draft();
        d.groupId("billing");
        return d;
    }

    @Test
    void router_reportsTheTypesThatRetryByRedelivery() {
        assertThat(redeliver.redeliveredTypes()).containsExactly("X");
        assertThat(inPlace.redeliveredTypes()).isEmpty();
    }

    @Test
    void retryTopicsOff_withARedeliverRoute_isRejectedAtBuildNamingTheRoute() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .topics("t").router(redeliver).retryTopics(false).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("retryTopics(false) conflicts with the route of event type 'X'");
    }

    @Test
    void topicPattern_withARedeliverRoute_isRejectedAtBuild() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .topicPattern(Pattern.compile("t.*")).router(redeliver).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("topicPattern (t.*) cannot be combined")
                .hasMessageContaining("'X'");
    }

    @Test
    void withoutRedeliverRoutes_noRetryTopicIsSubscribedOrWritten() {
        ConsumerSettings.Draft d = draft();
        d.topics("orders", "payments");
        ConsumerSettings s = d.resolve(inPlace.redeliveredTypes());
        assertThat(s.retryTopics()).isEmpty();
        assertThat(new RetryTopicGate(s).subscription(s.topics())).containsExactly("orders", "payments");
    }

    @Test
    void withARedeliverRoute_eachTopicGetsThisGroupsRetryTopic() {
        ConsumerSettings.Draft d = draft();
        d.topics("orders", "payments");
        ConsumerSettings s = d.resolve(redeliver.redeliveredTypes());
        assertThat(s.retryTopics()).containsExactly(Map.entry("orders", "orders.billing.retry"),
                Map.entry("payments", "payments.billing.retry"));
        assertThat(KafkaEventConsumer.defaultRetryTopic("orders", "billing")).isEqualTo("orders.billing.retry");
    }

    @Test
    void retryTopicNaming_replacesTheDefault_andConflictsWithRetryTopicsOff() {
        ConsumerSettings.Draft d = draft();
        d.topics("orders");
        d.retryTopicNaming(t -> "retries." + t);
        assertThat(d.resolve(Set.of("X")).retryTopics()).containsExactly(Map.entry("orders", "retries.orders"));
        d.retryTopics(false);
        assertThatThrownBy(() -> d.resolve(Set.of())).isInstanceOf(IllegalStateException.class)
                .hasMessage("retryTopicNaming conflicts with retryTopics(false)");
    }

    @Test
    void consumerGroupProtocol_getsNoAssignor_classicGetsCooperativeSticky() {
        Map<String, Object> kip848 = KafkaConfig.consumerProps(Map.of("group.protocol", "consumer"), "g", "read_committed");
        assertThat(kip848).doesNotContainKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        Map<String, Object> classic = KafkaConfig.consumerProps(Map.of(), "g", "read_committed");
        assertThat(classic.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG).toString())
                .contains("CooperativeStickyAssignor");
    }

    @Test
    void consumers_readCommitted_byDefault_andTheUsersPropertyWins() {
        assertThat(KafkaClientSettings.of("localhost:9092").isolationLevel()).isEqualTo("read_committed");
        assertThat(KafkaConfig.consumerProps(Map.of(), "g", "read_committed"))
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        assertThat(KafkaConfig.consumerProps(Map.of("isolation.level", "read_uncommitted"), "g", "read_committed"))
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    }

    @Test
    void consumerGroupProtocol_builds() {
        KafkaEventConsumer c = KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g").topics("t")
                .router(inPlace).properties(Map.of("group.protocol", "consumer")).build();
        c.close(Duration.ofSeconds(1));
    }

    @Test
    void retryCopy_isHandedOverWithItsOriginalPosition() {
        ConsumerRecord<byte[], byte[]> copy = new ConsumerRecord<>("orders.billing.retry", 0, 3, null, new byte[0]);
        copy.headers().add(EventHeaders.ORIGINAL_TOPIC, bytes("orders"));
        copy.headers().add(EventHeaders.ORIGINAL_PARTITION, bytes("2"));
        copy.headers().add(EventHeaders.ORIGINAL_OFFSET, bytes("41"));
        InboundMessage m = KafkaRecords.toMessage(copy, "billing");
        assertThat(m.topic()).isEqualTo("orders");
        assertThat(m.partition()).isEqualTo(2);
        assertThat(m.offset()).isEqualTo(41);

        ConsumerRecord<byte[], byte[]> damaged = new ConsumerRecord<>("orders.billing.retry", 0, 3, null, new byte[0]);
        damaged.headers().add(EventHeaders.ORIGINAL_TOPIC, bytes("orders"));
        damaged.headers().add(EventHeaders.ORIGINAL_OFFSET, bytes("x"));
        assertThat(KafkaRecords.toMessage(damaged, "billing").topic()).isEqualTo("orders.billing.retry");
    }

    @Test
    void redriveCommandLine_loadsClientPropertiesFromAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=broker:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n");
        DeadLetterRedrive redrive = RedriveCommandLine.parse(new String[] {"--client-properties", file.toString(),
            "--dlq-topic", "orders.dlq"}, DeadLetterRedrive.builder()).build();
        assertThat(redrive.client().properties()).containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN");

        Files.writeString(file, "security.protocol=SSL\n");
        DeadLetterRedrive withServers = RedriveCommandLine.parse(new String[] {"--client-properties", file.toString(),
            "--bootstrap-servers", "b:1", "--dlq-topic", "d"}, DeadLetterRedrive.builder()).build();
        assertThat(withServers.client().properties()).containsEntry("bootstrap.servers", "b:1")
                .containsEntry("security.protocol", "SSL");

        Files.writeString(file, "bootstrap.servers=broker:9093\n");
        assertThatThrownBy(() -> RedriveCommandLine.parse(new String[] {"--client-properties", file.toString(),
            "--bootstrap-servers", "b:1", "--dlq-topic", "d"}, DeadLetterRedrive.builder()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> RedriveCommandLine.parse(new String[] {"--client-properties",
            dir.resolve("missing").toString(), "--dlq-topic", "d"}, DeadLetterRedrive.builder()))
                .hasMessageContaining("cannot read --client-properties");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
