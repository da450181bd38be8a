package io.eventcore.outbox.jdbc;

import io.eventcore.transport.TopicNaming;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped and started again (a real server process, embedded PostgreSQL on a fixed port
 * and data directory) while the relay runs: the relay reports the outage, then recovers by itself.
 */
class DatabaseRestartIT {

    private static EmbeddedPostgres start(int port, Path dir) throws Exception {
        return EmbeddedPostgres.builder().setPort(port).setDataDirectory(dir).setCleanDataDirectory(false).start();
    }

    private static List<OutboxEvent> events(int from, int count) {
        List<OutboxEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(OutboxEvent.builder("Order", "k-" + (i % 10)).rawPayload("Step",
                    ("k-" + (i % 10) + ":" + (i / 10)).getBytes(StandardCharsets.UTF_8)).build());
        }
        return out;
    }

    @Test
    void relay_recoversByItself_afterTheDatabaseRestarts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path dir = Files.createTempDirectory("eventcore-pg-restart");
        EmbeddedPostgres pg = start(port, dir);
        DataSource ds = TestDatabase.driverManager("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        String topic = "outbox-db-restart-" + System.nanoTime();
        EmbeddedKafka.createTopics(3, topic);
        JdbcOutbox outbox = JdbcOutbox.builder(ds).build();
        outbox.createSchema();
        try (KafkaEventPublisher kafka = KafkaEventPublisher.builder()
                .bootstrapServers(EmbeddedKafka.bootstrapServers()).topic(topic).build();
                OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka)
                        .topicNaming(TopicNaming.fixed(topic)).maxPollInterval(Duration.ofMillis(200)).build()) {
            relay.start();
            for (int i = 0; i < 10; i++) {
                List<OutboxEvent> batch = events(i * 50, 50);
                outbox.inTransaction(c -> {
                    outbox.append(c, batch);
                    return null;
                });
            }
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> relay.status().published() == 500);

            pg.close();
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> relay.status().lastError() != null);
            assertThat(relay.status().lastError()).contains("outbox store");
            pg = start(port, dir);

            for (int i = 10; i < 20; i++) {
                List<OutboxEvent> batch = events(i * 50, 50);
                outbox.inTransaction(c -> {
                    outbox.append(c, batch);
                    return null;
                });
            }
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> relay.status().published() >= 1000);
            Awaitility.await().atMost(30, TimeUnit.SECONDS).until(() -> relay.status().lastError() == null);
            Published out = Published.read(EmbeddedKafka.bootstrapServers(), topic, 1000, Duration.ofSeconds(30));
            assertThat(out.distinctValues()).hasSize(1000);
            assertThat(out.orderViolations(10, 100, "k-")).isEmpty();
        } finally {
            outbox.close();
            pg.close();
        }
    }
}
