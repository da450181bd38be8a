package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The shipped schema on the three dialects: the same columns everywhere; binary key comparison on MariaDB. */
class SchemaIT {
    private static final String TABLE = "schema_outbox";
    private static final List<String> SUFFIXES = List.of("", "_dead", "_lease", "_relay");

    @Test
    void theThreeDialects_createTablesWithTheSameColumns() throws Exception {
        Map<String, Map<String, TreeSet<String>>> byDialect = new TreeMap<>();
        for (TestDatabase db : List.of(TestDatabase.h2("schema_columns"), TestDatabase.postgres().scratch("schema_outbox"),
                TestDatabase.mariadb().scratch("schema_outbox"))) {
            DataSource ds = db.dataSource();
            dropAll(ds);
            JdbcOutbox outbox = JdbcOutbox.builder(ds).table(TABLE).build();
            outbox.createSchema();
            outbox.createSchema(); // idempotent
            byDialect.put(outbox.dialect().name(), columns(ds));
        }
        System.out.println(byDialect);
        assertThat(byDialect.get("POSTGRESQL")).isEqualTo(byDialect.get("H2")).isEqualTo(byDialect.get("MYSQL"));
        assertThat(byDialect.get("H2").get(TABLE)).contains("id", "shard", "aggregate_id", "next_attempt_at");
    }

    @Test
    void mariadb_keysDifferingOnlyInCase_areDifferentKeys() throws Exception {
        DataSource ds = TestDatabase.mariadb().scratch("schema_outbox").dataSource();
        dropAll(ds);
        JdbcOutbox outbox = JdbcOutbox.builder(ds).table(TABLE).shards(1).build();
        outbox.createSchema();
        outbox.inTransaction(c -> {
            outbox.append(c, OutboxEvent.builder("Order", "ABC").rawPayload("Step", bytes("retrying")).build());
            outbox.append(c, OutboxEvent.builder("Order", "abc").rawPayload("Step", bytes("due")).build());
            outbox.append(c, OutboxEvent.builder("Order", "Ключ").rawPayload("Step", bytes("non-latin")).build());
            return null;
        });
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE " + TABLE + " SET attempts = 1, next_attempt_at = " + Long.MAX_VALUE / 2
                    + " WHERE aggregate_id = 'ABC'");
        }
        Instant now = Instant.now();
        OutboxLease lease = outbox.store().acquire(0, "r", now, java.time.Duration.ofSeconds(10)).orElseThrow();
        List<String> keys = outbox.store().fetch(lease, now, 10).stream().map(OutboxRecord::aggregateId).toList();
        assertThat(keys).as("'ABC' waits for its retry; 'abc' is another key").containsExactly("abc", "Ключ");
        outbox.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void dropAll(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String suffix : SUFFIXES) {
                s.execute("DROP TABLE IF EXISTS " + TABLE + suffix);
            }
        }
    }

    private static Map<String, TreeSet<String>> columns(DataSource ds) throws Exception {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        try (Connection c = ds.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            for (String suffix : SUFFIXES) {
                TreeSet<String> names = new TreeSet<>();
                for (String t : List.of(TABLE + suffix, (TABLE + suffix).toUpperCase(Locale.ROOT))) {
                    try (ResultSet rs = md.getColumns(c.getCatalog(), null, t, null)) {
                        while (rs.next()) {
                            String schema = rs.getString("TABLE_SCHEM");
                            if (schema == null || schema.equalsIgnoreCase("public") || schema.equalsIgnoreCase("PUBLIC")) {
                                names.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                            }
                        }
                    }
                }
                out.put(TABLE + suffix, names);
            }
        }
        return out;
    }
}
