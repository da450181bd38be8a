package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A broker that does not auto-create topics, and rows for a topic that does not exist yet: kafka-clients
 * blocks a send for {@code max.block.ms} waiting for the topic's metadata. The relay must not stall
 * (rows for other topics keep flowing), the waiting rows must not die (once nothing else is published their
 * failures are an outage, not counted), and they are published once the topic is created.
 */
class MissingTopicIT {
    private static final int PER_TOPIC = 100;

    @Test
    void rowsForAMissingTopicWait_withoutStallingTheRelay_andFlowOnceItExists() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        JdbcOutbox outbox = JdbcOutbox.builder(db.dataSource()).table("ec_missing_topic").build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), "ec_missing_topic");
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(KafkaBrokerProcess.Security.PLAINTEXT,
                Map.of("auto.create.topics.enable", "false"));
                Admin admin = Admin.create(props(broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("present-events", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                    .topics(TopicNaming.perAggregate()).properties(Map.of("max.block.ms", "3000")).build();
                    OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                            .topicNaming(TopicNaming.perAggregate()).maxPollInterval(Duration.ofMillis(200)).build()) {
                append(outbox, "Absent");
                append(outbox, "Present");
                long started = System.nanoTime();
                relay.start();
                // Blocking max.block.ms per row would take 100 x 3 s; once per topic is what is allowed.
                Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> relay.status().published() >= PER_TOPIC);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
                assertThat(relay.status().published()).as("only the present topic's rows").isEqualTo(PER_TOPIC);
                assertThat(outbox.store().backlog().pending()).isEqualTo(PER_TOPIC);
                assertThat(outbox.store().deadRecords(10)).as("a missing topic kills no row").isEmpty();
                Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                        assertThat(relay.status().lastError()).as("the status names the missing topic")
                                .contains("absent-events"));
                assertThat(relay.status().published()).isEqualTo(PER_TOPIC);
                assertThat(outbox.store().deadRecords(10)).isEmpty();

                admin.createTopics(List.of(new NewTopic("absent-events", 3, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
                Awaitility.await().atMost(60, TimeUnit.SECONDS)
                        .until(() -> relay.status().published() >= 2 * PER_TOPIC);
                assertThat(outbox.store().backlog().pending()).isZero();
                assertThat(outbox.store().deadRecords(10)).isEmpty();
            }
        } finally {
            outbox.close();
        }
    }

    private static Properties props(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    private static void append(JdbcOutbox outbox, String aggregate) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < PER_TOPIC; i++) {
            events.add(OutboxEvent.builder(aggregate, aggregate + "-" + (i % 10)).rawPayload("Step",
                    (aggregate + ":" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        outbox.inTransaction(c -> {
            outbox.append(c, events);
            return null;
        });
    }
}
