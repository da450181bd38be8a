package io.eventcore.outbox.jdbc;

import io.eventcore.transport.TopicNaming;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.outbox.OutboxRows;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgreSQL specifics: strict commit order, LISTEN/NOTIFY hints, and the wake-up after commit. */
class PostgresOrderingIT {
    private final TestDatabase db = TestDatabase.postgres();

    @BeforeEach
    void emptyTables() {
        JdbcOutbox.builder(db.dataSource()).table("ec_pg").build().createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), "ec_pg");
    }

    private static OutboxEvent event(String value) {
        return OutboxEvent.builder("Order", "same-key").rawPayload("Step", value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private static List<String> fetch(OutboxStore store) {
        int shard = OutboxRows.shardOf("same-key", store.shardCount());
        Instant now = Instant.now();
        OutboxLease lease = store.acquire(shard, "probe", now, Duration.ofSeconds(10)).orElseThrow();
        try {
            return store.fetch(lease, now, 100).stream().map(OutboxRecord::payload)
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        } finally {
            store.release(lease);
        }
    }

    /** Strict order is commit order (issue 13): the row that committed first comes first, whatever its id. */
    @Test
    void strictOrder_readsAShardInCommitOrder_notIdOrder() throws Exception {
        JdbcOutbox strict = JdbcOutbox.builder(db.dataSource()).table("ec_pg_strict").strictOrder(true).build();
        strict.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), "ec_pg_strict");
        JdbcOutbox relaxed = JdbcOutbox.builder(db.dataSource()).table("ec_pg_strict").build();
        try (Connection slow = db.dataSource().getConnection()) {
            slow.setAutoCommit(false);
            strict.append(slow, event("first-id"));   // takes the lower id, commits last
            strict.inTransaction(c -> {
                strict.append(c, event("second-id"));
                return null;
            });
            assertThat(fetch(strict.store())).as("a running transaction holds nothing back")
                    .containsExactly("second-id");
            slow.commit();
        }
        assertThat(fetch(strict.store())).as("strict: commit order").containsExactly("second-id", "first-id");
        assertThat(fetch(relaxed.store())).as("default: id order").containsExactly("first-id", "second-id");
        strict.close();
        relaxed.close();
    }

    @Test
    void notifyFromAnotherProcess_wakesAnIdleRelay() {
        InMemoryBroker broker = new InMemoryBroker();
        JdbcOutbox mine = JdbcOutbox.builder(db.dataSource()).table("ec_pg").notifications(true).build();
        JdbcOutbox theirs = JdbcOutbox.builder(db.dataSource()).table("ec_pg").notifications(true).build();
        HintChannel theirChannel = theirs.store().hints().orElseThrow();
        // Polls only when woken: the idle interval is ten minutes.
        try (OutboxPublisher relay = OutboxPublisher.builder().store(mine.store()).publisher(broker.publisher())
                .topicNaming(TopicNaming.fixed("orders")).minPollInterval(Duration.ofMinutes(10))
                .maxPollInterval(Duration.ofMinutes(10)).build()) {
            relay.start();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> relay.status().shards().size() == 16);
            // Passes never overlap: this returns once the relay's first pass (which holds the shards before
            // it fetches) has finished, so the append below lands while the relay is idle.
            assertThat(relay.publishPending()).isZero();
            theirs.inTransaction(c -> {
                theirs.append(c, event("from-elsewhere"));
                return null;
            });
            // Another process's commit does not wake this relay, and it does not poll on its own.
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .until(() -> relay.status().published() == 0);
            // LISTEN is registered in the background and misses a NOTIFY sent before it: hint until one is seen.
            Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
                theirChannel.hintOthers();
                return relay.status().published() == 1;
            });
        } finally {
            mine.close();
            theirs.close();
        }
    }

    @Test
    void commitThroughInTransaction_wakesTheLocalRelay() {
        InMemoryBroker broker = new InMemoryBroker();
        JdbcOutbox outbox = JdbcOutbox.builder(db.dataSource()).table("ec_pg").build();
        try (OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(broker.publisher())
                .topicNaming(TopicNaming.fixed("orders")).minPollInterval(Duration.ofMinutes(10))
                .maxPollInterval(Duration.ofMinutes(10)).build()) {
            relay.start();
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> relay.status().shards().size() == 16);
            for (int i = 0; i < 3; i++) {
                String value = "v" + i;
                outbox.inTransaction(c -> {
                    outbox.append(c, event(value));
                    return null;
                });
                int expected = i + 1;
                Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> relay.status().published() == expected);
            }
        } finally {
            outbox.close();
        }
    }
}
