package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.test.TestDatabase;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class JdbcOutboxTest {
    private final DataSource h2 = TestDatabase.h2("outbox_unit").dataSource();

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
        assertThatThrownBy(() -> JdbcOutbox.builder(h2).shards(4).shards(8)).hasMessage("shards was already set");
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
            assertThat(JdbcOutbox.statements(d.defaultDdl())).as(d.name()).hasSizeGreaterThanOrEqualTo(4)
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
}
