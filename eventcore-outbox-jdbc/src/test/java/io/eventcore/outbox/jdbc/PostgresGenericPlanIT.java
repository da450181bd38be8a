package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under generic plans ({@code plan_cache_mode = force_generic_plan}, what pooled and prepared-statement-heavy
 * deployments get) the PostgreSQL fetch reads the pending index, not the primary key, on 50,000 rows: all
 * pending (the former statement walked the primary key here, filtering by shard), and with the oldest 45,000
 * published and kept (where a primary-key walk passes every published row first).
 */
class PostgresGenericPlanIT {
    private static final String TABLE = "ec_generic_plan";
    private static final int SHARDS = 16;

    @ParameterizedTest
    @ValueSource(ints = {0, 45_000})
    void fetch_underForceGenericPlan_usesThePendingIndex(int published) throws Exception {
        TestDatabase db = TestDatabase.postgres();
        DataSource ds = db.dataSource();
        try (JdbcOutbox outbox = JdbcOutbox.builder(ds).table(TABLE).shards(SHARDS).keepPublished(true).build()) {
            outbox.createSchema();
            TestDatabase.emptyOutbox(ds, TABLE);
            fill(ds, published);
            Sql sql = new Sql(TABLE, Dialect.POSTGRESQL, false);
            long now = System.currentTimeMillis();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SET plan_cache_mode = force_generic_plan");
                String plan = explain(s, "current", sql.fetch, "3, 3, " + now + ", " + now + ", 500");
                assertThat(plan).contains("Index Scan using " + TABLE + "_pending_idx on " + TABLE + " o")
                        .doesNotContain(TABLE + "_pkey");
                // The fetch of a shard that holds no waiting row (the usual case): the pending index too.
                String free = explain(s, "free", sql.fetchFree, "3, 3, " + now + ", 500");
                assertThat(free).contains("Index Scan using " + TABLE + "_pending_idx on " + TABLE + " o")
                        .doesNotContain(TABLE + "_pkey");
                String former = sql.fetch.replace("o.shard >= ? AND o.shard <= ?", "o.shard = ?")
                        .replace("ORDER BY o.shard, ", "ORDER BY ");
                System.out.println(published + " published: the former statement's generic plan, for comparison:\n"
                        + explain(s, "former", former, "3, " + now + ", " + now + ", 500"));
            }

            // The store itself, on connections that plan generically (server-side prepared after 1 use).
            DataSource generic = TestDatabase.driverManager(db.url() + (db.url().contains("?") ? "&" : "?")
                    + "prepareThreshold=1&options=-c%20plan_cache_mode=force_generic_plan", db.user(), "");
            try (JdbcOutbox pooled = JdbcOutbox.builder(generic).table(TABLE).shards(SHARDS).keepPublished(true)
                    .build()) {
                OutboxLease lease = pooled.store().acquire(3, "probe", Instant.now(), Duration.ofSeconds(30))
                        .orElseThrow();
                for (int round = 0; round < 3; round++) {
                    List<OutboxRecord> rows = pooled.store().fetch(lease, Instant.now(), 100);
                    assertThat(rows).hasSize(100);
                    assertThat(rows).extracting(OutboxRecord::eventId).first()
                            .isEqualTo(published == 0 ? "e3" : "e45011");
                    assertThat(rows).extracting(OutboxRecord::id).isSorted();
                }
            }
        }
    }

    /** 50,000 rows over the shards; the oldest {@code published} published (kept). */
    private static void fill(DataSource ds, int published) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + TABLE + " (shard, event_id, aggregate_type, aggregate_id, event_type,"
                    + " payload, created_at, published_at) SELECT g % " + SHARDS + ", 'e' || g, 'Order', 'k' || (g % 1000),"
                    + " 'Step', '\\x00'::bytea, 1, CASE WHEN g <= " + published + " THEN 1 END FROM generate_series(1, 50000) g");
            s.execute("ANALYZE " + TABLE);
        }
    }

    private static String explain(Statement s, String name, String query, String args) throws Exception {
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char ch : query.toCharArray()) {
            if (ch == '?') {
                numbered.append('$').append(++n);
            } else {
                numbered.append(ch);
            }
        }
        s.execute("PREPARE " + name + " AS " + numbered);
        StringJoiner plan = new StringJoiner("\n");
        try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE " + name + "(" + args + ")")) {
            while (rs.next()) {
                plan.add(rs.getString(1));
            }
        }
        s.execute("DEALLOCATE " + name);
        return plan.toString();
    }
}
