package io.eventcore.outbox.jdbc;

import io.eventcore.transport.TopicNaming;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The broker (a child JVM) is killed with SIGKILL while the relay runs: rows wait, are not counted
 * against their attempts, and are all published once the broker is back.
 */
class KafkaOutageIT {

    private static List<OutboxEvent> events(int from, int count) {
        List<OutboxEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(OutboxEvent.builder("Order", "k-" + (i % 10)).rawPayload("Step",
                    ("k-" + (i % 10) + ":" + (i / 10)).getBytes(StandardCharsets.UTF_8)).build());
        }
        return out;
    }

    @Test
    void brokerDown_rowsWait_andArePublishedOnceItIsBack() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        JdbcOutbox outbox = JdbcOutbox.builder(db.dataSource()).table("ec_outage").build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), "ec_outage");
        String topic = "outage-events";
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start();
                KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                        .topic(topic).properties(Map.of("delivery.timeout.ms", "6000", "request.timeout.ms", "2000",
                                "max.block.ms", "2000", "linger.ms", "5"))
                        .build();
                OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                        .topicNaming(TopicNaming.fixed(topic)).sendTimeout(Duration.ofSeconds(8))
                        .maxPollInterval(Duration.ofMillis(200)).build()) {
            relay.start();
            append(outbox, events(0, 200));
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> relay.status().published() >= 200);

            broker.kill();
            append(outbox, events(200, 300));
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> relay.status().lastError() != null);
            assertThat(outbox.store().backlog().pending()).isPositive();
            assertThat(outbox.store().deadRecords(10)).as("an outage kills no row").isEmpty();

            broker.restart();
            Awaitility.await().atMost(120, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200))
                    .until(() -> outbox.store().backlog().pending() == 0);
            Published out = Published.read(broker.bootstrapServers(), topic, 500, Duration.ofSeconds(60));
            System.out.printf("[KafkaOutageIT] 500 events across a broker SIGKILL + restart: %d distinct, %d"
                    + " duplicates%n", out.distinctValues().size(), out.duplicates());
            assertThat(out.distinctValues()).as("nothing lost").hasSize(500);
            assertThat(out.orderViolations(10, 50, "k-")).as("per-key order of first deliveries").isEmpty();
            assertThat(outbox.store().deadRecords(10)).isEmpty();
        } finally {
            outbox.close();
        }
    }

    /**
     * Health tells the truth with the publisher's default timeouts (issue 25): within 15 s of the broker's death
     * the relay is not healthy and says it waits for the broker, and it is healthy again once the broker is back.
     */
    @Test
    void brokerDown_withDefaultTimeouts_relayUnhealthyWithin15s_andHealthyAfterRestart() throws Exception {
        TestDatabase db = TestDatabase.postgres();
        JdbcOutbox outbox = JdbcOutbox.builder(db.dataSource()).table("ec_outage_health").build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), "ec_outage_health");
        String topic = "outage-health-events";
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start();
                KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                        .topic(topic).build();
                OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                        .topicNaming(TopicNaming.fixed(topic)).build()) {
            relay.start();
            append(outbox, events(0, 20));
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> relay.status().published() >= 20);
            assertThat(relay.status().healthy()).isTrue();

            broker.kill();
            long killed = System.nanoTime();
            append(outbox, events(20, 20));
            Awaitility.await("relay unhealthy after the broker died").atMost(15, TimeUnit.SECONDS)
                    .pollInterval(Duration.ofMillis(200)).until(() -> !relay.status().healthy());
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThanOrEqualTo(Duration.ofSeconds(15));
            assertThat(relay.status().lastError()).contains("broker").doesNotContain("does not exist");

            broker.restart();
            Awaitility.await("published and healthy after the restart").atMost(180, TimeUnit.SECONDS)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> outbox.store().backlog().pending() == 0 && relay.status().healthy());
            assertThat(outbox.store().deadRecords(10)).isEmpty();
        } finally {
            outbox.close();
        }
    }

    private static void append(JdbcOutbox outbox, List<OutboxEvent> events) {
        for (int i = 0; i < events.size(); i += 50) {
            List<OutboxEvent> tx = events.subList(i, Math.min(events.size(), i + 50));
            outbox.inTransaction(c -> {
                outbox.append(c, tx);
                return null;
            });
        }
    }
}
