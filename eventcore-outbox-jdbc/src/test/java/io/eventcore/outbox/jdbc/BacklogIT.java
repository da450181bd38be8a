package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxBacklog;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backlog on each dialect: exact for small backlogs (keyed and unkeyed rows, some published), and above
 * {@link JdbcBacklog#EXACT_UP_TO} an estimate between the proven bounds.
 */
class BacklogIT {
    private static final String TABLE = "ec_backlog";

    static Stream<TestDatabase> databases() {
        return Stream.of(TestDatabase.h2("backlog"), TestDatabase.postgres(), TestDatabase.mariadb());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void smallBacklogs_areExact_largeOnesAnEstimateWithinBounds(TestDatabase db) throws Exception {
        DataSource ds = db.dataSource();
        try (JdbcOutbox outbox = JdbcOutbox.builder(ds).table(TABLE).shards(8).build()) {
            outbox.createSchema();
            TestDatabase.emptyOutbox(ds, TABLE);
            assertThat(outbox.store().backlog()).isEqualTo(new OutboxBacklog(0, null, 0));

            append(outbox, 0, 22, true);
            append(outbox, 22, 3, false);
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + TABLE + " SET published_at = 1 WHERE id IN (SELECT id FROM (SELECT id FROM "
                        + TABLE + " ORDER BY id LIMIT 5) f)");
                s.executeUpdate("INSERT INTO " + TABLE + "_dead (id, event_id, aggregate_type, event_type, payload,"
                        + " created_at, attempts, failed_at) VALUES (1, 'e', 't', 'T', " + emptyBytes(outbox)
                        + ", 1, 1, 1)");
            }
            assertThat(outbox.store().backlog()).as("exact")
                    .isEqualTo(new OutboxBacklog(20, oldestPending(ds), 1));

            append(outbox, 25, JdbcBacklog.EXACT_UP_TO - 20, true);
            assertThat(outbox.store().backlog().pending()).as("exact at the bound").isEqualTo(JdbcBacklog.EXACT_UP_TO);
            append(outbox, 25 + JdbcBacklog.EXACT_UP_TO, 5_000, true);
            OutboxBacklog large = outbox.store().backlog();
            System.out.println(outbox.dialect() + ": 15,000 pending read as " + large);
            assertThat(large.pending()).as("an estimate above the bound, within the span of pending ids")
                    .isBetween(JdbcBacklog.EXACT_UP_TO + 1L, pendingIdSpan(ds));
            assertThat(large.oldestCreatedAt()).isEqualTo(oldestPending(ds));
            assertThat(large.dead()).isEqualTo(1);
        }
    }

    private static String emptyBytes(JdbcOutbox outbox) {
        return switch (outbox.dialect()) {
            case POSTGRESQL -> "'\\x'::bytea";
            case MYSQL -> "X''";
            case H2 -> "X''";
        };
    }

    private static void append(JdbcOutbox outbox, int from, int count, boolean keyed) {
        for (int start = from; start < from + count; start += 1_000) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = start; i < Math.min(from + count, start + 1_000); i++) {
                OutboxEvent.Builder b = keyed ? OutboxEvent.builder("Order", "k" + i % 50) : OutboxEvent.builder("Order", null);
                events.add(b.rawPayload("Step", ("e" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            outbox.inTransaction(c -> {
                outbox.append(c, events);
                return null;
            });
        }
    }

    private static long pendingIdSpan(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(id) - MIN(id) + 1 FROM " + TABLE + " WHERE published_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Instant oldestPending(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MIN(created_at) FROM " + TABLE + " WHERE published_at IS NULL")) {
            rs.next();
            return Instant.ofEpochMilli(rs.getLong(1));
        }
    }
}
