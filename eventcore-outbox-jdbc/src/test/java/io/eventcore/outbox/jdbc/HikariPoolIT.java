package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The relay on HikariCP with a short leak-detection threshold: every operation gives its connection back, so
 * the pool's active count returns to 0 between passes and Hikari never reports a leak, even while the relay
 * runs for longer than the threshold.
 */
class HikariPoolIT {
    private static final String TABLE = "pool_outbox";

    private static HikariDataSource pool(TestDatabase db, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.url());
        config.setUsername(db.user());
        config.setPassword("");
        config.setMaximumPoolSize(4);
        config.setPoolName(name);
        config.setLeakDetectionThreshold(2000); // Hikari's smallest
        config.setRegisterMbeans(false);
        return new HikariDataSource(config);
    }

    private static OutboxEvent event(String key, int n) {
        return OutboxEvent.builder("Order", key).rawPayload("Step", ("" + n).getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void relayOnHikari_returnsEveryConnection_andNoLeakIsReported() throws Exception {
        TestDatabase db = TestDatabase.postgres().scratch("pool_outbox");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, log), true, StandardCharsets.UTF_8));
        try (HikariDataSource ds = pool(db, "eventcore-pool-it"); JdbcOutbox outbox = JdbcOutbox.builder(ds)
                .table(TABLE).build()) {
            outbox.createSchema();
            TestDatabase.emptyOutbox(ds, TABLE);
            InMemoryBroker broker = new InMemoryBroker();
            OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(broker.publisher())
                    .topicNaming(TopicNaming.fixed("orders")).maxPollInterval(Duration.ofMillis(50)).build();
            // Manual passes: after each one nothing is checked out.
            for (int pass = 0; pass < 5; pass++) {
                int p = pass;
                outbox.inTransaction(c -> {
                    outbox.append(c, event("k" + p, p));
                    outbox.append(c, OutboxEvent.builder("Order", null).rawPayload("Step", new byte[] {1}).build());
                    return null;
                });
                relay.publishPending();
                assertThat(ds.getHikariPoolMXBean().getActiveConnections()).as("active after pass " + pass).isZero();
            }
            // A running relay for longer than the leak threshold, with appends going on.
            relay.start();
            AtomicInteger maxActive = new AtomicInteger();
            long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
            int n = 0;
            while (System.nanoTime() < end) {
                int i = n++;
                outbox.inTransaction(c -> {
                    outbox.append(c, event("key-" + (i % 7), i));
                    return null;
                });
                maxActive.accumulateAndGet(ds.getHikariPoolMXBean().getActiveConnections(), Math::max);
                Thread.sleep(20);
            }
            relay.close(Duration.ofSeconds(5));
            Thread.sleep(200);
            assertThat(ds.getHikariPoolMXBean().getActiveConnections()).as("active after the relay stopped").isZero();
            assertThat(broker.messages("orders")).hasSize(10 + n);
            System.out.println("appends while running: " + n + ", most connections checked out at once: " + maxActive);
        } finally {
            System.setErr(originalErr);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).as("Hikari's log").doesNotContain("leak");
    }

    @Test
    void borrow_closesTheConnection_whenSetAutoCommitThrows() throws Exception {
        List<Connection> handedOut = new ArrayList<>();
        AtomicBoolean closed = new AtomicBoolean();
        javax.sql.DataSource failing = new DelegatingDataSource(TestDatabase.h2("pool_autocommit").dataSource()) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection real = super.getConnection();
                real.setAutoCommit(false);
                Connection proxy = (Connection) java.lang.reflect.Proxy.newProxyInstance(
                        Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (o, m, args) -> {
                            if (m.getName().equals("setAutoCommit")) {
                                throw new SQLException("setAutoCommit failed");
                            }
                            if (m.getName().equals("close")) {
                                closed.set(true);
                            }
                            return m.invoke(real, args);
                        });
                handedOut.add(proxy);
                return proxy;
            }
        };
        ConnectionPool pool = new ConnectionPool(failing);
        try {
            pool.borrow();
        } catch (SQLException expected) {
            assertThat(expected.getMessage()).isEqualTo("setAutoCommit failed");
        }
        assertThat(handedOut).hasSize(1);
        assertThat(closed).as("the connection whose setAutoCommit threw was closed").isTrue();
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }

    /** A data source that delegates, for overriding one method. */
    private static class DelegatingDataSource implements javax.sql.DataSource {
        private final javax.sql.DataSource d;

        DelegatingDataSource(javax.sql.DataSource d) {
            this.d = d;
        }

        @Override public Connection getConnection() throws SQLException { return d.getConnection(); }
        @Override public Connection getConnection(String u, String p) throws SQLException { return d.getConnection(u, p); }
        @Override public java.io.PrintWriter getLogWriter() throws SQLException { return d.getLogWriter(); }
        @Override public void setLogWriter(java.io.PrintWriter out) throws SQLException { d.setLogWriter(out); }
        @Override public void setLoginTimeout(int s) throws SQLException { d.setLoginTimeout(s); }
        @Override public int getLoginTimeout() throws SQLException { return d.getLoginTimeout(); }
        @Override public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            return d.getParentLogger();
        }
        @Override public <T> T unwrap(Class<T> type) throws SQLException { return d.unwrap(type); }
        @Override public boolean isWrapperFor(Class<?> type) throws SQLException { return d.isWrapperFor(type); }
    }
}
