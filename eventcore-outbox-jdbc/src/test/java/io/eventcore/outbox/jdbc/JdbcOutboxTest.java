package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.Clock;
import io.eventcore.codec.EventCodec;
import io.eventcore.test.TestDatabase;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class JdbcOutboxTest {
    private final DataSource h2 = TestDatabase.h2("outbox_unit").dataSource();

    @Test
    void removedAppendListener_isNotCalledAgain() {
        JdbcSignals signals = new JdbcSignals(java.util.Optional.empty());
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Runnable relayWakeUp = calls::incrementAndGet;
        signals.onAppend(relayWakeUp);
        signals.appended();
        signals.removeAppendListener(relayWakeUp);
        signals.appended();
        assertThat(calls).hasValue(1);
    }

    @Test
    void table_mustBeAPlainIdentifier() {
        for (String bad : new String[] {"outbox; DROP TABLE users", "out-box", "1outbox", "", "a.b.c", "\"quoted\"",
                "x".repeat(41)}) {
            assertThatThrownBy(() -> JdbcOutbox.builder(h2).table(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("table must be a plain SQL identifier");
        }
        assertThat(JdbcOutbox.builder(h2).table("app.order_outbox").build().ddl())
                .contains("CREATE TABLE IF NOT EXISTS app.order_outbox_lease")
                .contains("CREATE INDEX IF NOT EXISTS order_outbox_pending_idx ON app.order_outbox (");
    }

    @Test
    void postgresOnlyOptions_areRejectedForOtherDialects() {
        assertThatThrownBy(() -> JdbcOutbox.builder(h2).strictOrder(true).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("strictOrder needs PostgreSQL, but the dialect is H2");
        assertThatThrownBy(() -> JdbcOutbox.builder(h2).notifications(true).build())
                .hasMessage("notifications needs PostgreSQL, but the dialect is H2");
        assertThatThrownBy(() -> JdbcOutbox.builder(h2).shards(0)).hasMessage("shards must be between 1 and 1024, but was 0");
        assertThatThrownBy(() -> JdbcOutbox.builder(h2).shards(4).shards(8)).isInstanceOf(IllegalStateException.class)
                .hasMessage("shards was already set to 4");
    }

    @Test
    void builder_rejectsEveryRepeatedSetting_namingIt() {
        Map<String, Consumer<JdbcOutbox.Builder>> settings = new LinkedHashMap<>();
        settings.put("dialect", b -> b.dialect(Dialect.H2));
        settings.put("table", b -> b.table("t"));
        settings.put("shards", b -> b.shards(2));
        settings.put("codec", b -> b.codec(EventCodec.json()));
        settings.put("clock", b -> b.clock(Clock.system()));
        settings.put("strictOrder", b -> b.strictOrder(false));
        settings.put("keepPublished", b -> b.keepPublished(false));
        settings.put("notifications", b -> b.notifications(false));
        settings.forEach((name, set) -> {
            JdbcOutbox.Builder builder = JdbcOutbox.builder(h2);
            set.accept(builder);
            assertThatThrownBy(() -> set.accept(builder)).as(name).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(name + " was already set");
        });
    }

    @Test
    void store_offersUnkeyedClaimsAndHints_byDialectAndSetting() {
        JdbcOutbox onH2 = JdbcOutbox.builder(h2).table("caps").build();
        assertThat(onH2.store().unkeyedClaims()).as("H2 spreads unkeyed rows over the shards").isEmpty();
        assertThat(onH2.store().hints()).isEmpty();
        JdbcOutbox postgresDialect = JdbcOutbox.builder(h2).dialect(Dialect.POSTGRESQL).notifications(true).build();
        assertThat(postgresDialect.store().unkeyedClaims()).isPresent();
        assertThat(postgresDialect.store().hints()).isPresent();
        onH2.close();
        postgresDialect.close();
    }

    @Test
    void dialect_isDetected_andSchemaCreationIsIdempotent() {
        JdbcOutbox outbox = JdbcOutbox.builder(h2).table("idem").build();
        assertThat(outbox.dialect()).isEqualTo(Dialect.H2);
        outbox.createSchema();
        outbox.createSchema();
        assertThat(outbox.store().backlog().pending()).isZero();
    }

    @Test
    void everyDialectShipsItsDdl() {
        for (Dialect d : Dialect.values()) {
            assertThat(JdbcSchema.statements(d.defaultDdl())).as(d.name()).hasSizeGreaterThanOrEqualTo(4)
                    .anyMatch(s -> s.contains("eventcore_outbox_lease"));
            assertThat(Dialect.class.getClassLoader().getResource(d.ddlResource())).isNotNull();
        }
    }

    @Test
    void headers_surviveAnyCharacters() {
        Map<String, String> headers = Map.of("a=b", "x%y\nz\r=", "unicode", "żółw ✓", "empty", "");
        assertThat(Headers.decode(Headers.encode(headers))).isEqualTo(headers);
        assertThat(Headers.encode(Map.of())).isNull();
        assertThat(Headers.decode(null)).isEmpty();
    }

    @Test
    void keepPublished_marksRows_andPurgeDeletesThemByAgeInBatches() throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder(h2).table("kept").keepPublished(true).build();
        outbox.createSchema();
        io.eventcore.test.InMemoryBroker broker = new io.eventcore.test.InMemoryBroker();
        java.util.List<io.eventcore.outbox.OutboxEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(io.eventcore.outbox.OutboxEvent.builder("Order", "k" + i).rawPayload("T", new byte[] {(byte) i}).build());
        }
        outbox.inTransaction(c -> {
            outbox.append(c, events);
            return null;
        });
        io.eventcore.outbox.OutboxPublisher relay = io.eventcore.outbox.OutboxPublisher.builder().store(outbox.store())
                .publisher(broker.publisher()).build();
        assertThat(relay.publishPending()).isEqualTo(5);
        assertThat(relay.publishPending()).as("marked rows are not sent again").isZero();
        assertThat(outbox.store().backlog().pending()).isZero();
        try (java.sql.Connection c = h2.getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM kept WHERE published_at IS NOT NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(5);
        }
        java.time.Instant later = java.time.Instant.now().plusSeconds(60);
        assertThat(outbox.store().purgePublished(java.time.Instant.now().minusSeconds(60), 10)).isZero();
        assertThat(outbox.store().purgePublished(later, 3)).isEqualTo(3);
        assertThat(outbox.store().purgePublished(later, 3)).isEqualTo(2);
        outbox.close();
    }

    @Test
    void emptiedLeaseTable_isRefilled_andTheRelayKeepsWorking() throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder(h2).table("refill").shards(2).build();
        outbox.createSchema();
        java.time.Instant now = java.time.Instant.now();
        assertThat(outbox.store().acquire(0, "r", now, java.time.Duration.ofSeconds(5))).isPresent();
        try (java.sql.Connection c = h2.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("DELETE FROM refill_lease");
        }
        assertThat(outbox.store().acquire(1, "r", now, java.time.Duration.ofSeconds(5))).as("rows recreated").isPresent();
        outbox.close();
    }
}
