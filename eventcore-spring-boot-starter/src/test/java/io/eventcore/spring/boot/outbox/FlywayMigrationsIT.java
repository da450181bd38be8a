package io.eventcore.spring.boot.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.EventcoreAutoConfiguration;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventPublisher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The shipped migrations, run by Spring Boot's Flyway from the documented locations (outbox and inbox folders) on a
 * fresh PostgreSQL and MariaDB database: the schema history holds V1 and V2, the starter's outbox appends and
 * relays on the migrated tables, and a {@link JdbcInbox} records on the migrated inbox table.
 */
class FlywayMigrationsIT {
    record Paid(String id) {
    }

    @Test
    void postgresql() throws SQLException {
        TestDatabase server = TestDatabase.postgres();
        String url = freshDatabase(server, "CREATE DATABASE eventcore_flyway_it", "DROP DATABASE IF EXISTS eventcore_flyway_it")
                .replaceFirst("/[^/?]+(\\?|$)", "/eventcore_flyway_it$1");
        migrateAndUse(url, server.user(), "postgresql");
    }

    @Test
    void mariadb() throws SQLException {
        TestDatabase server = TestDatabase.mariadb();
        String url = freshDatabase(server, "CREATE DATABASE eventcore_flyway_it", "DROP DATABASE IF EXISTS eventcore_flyway_it")
                .replaceFirst("/[^/?]+(\\?|$)", "/eventcore_flyway_it$1");
        migrateAndUse(url, server.user(), "mysql");
    }

    private static String freshDatabase(TestDatabase server, String create, String drop) throws SQLException {
        try (Connection c = server.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(drop);
            s.execute(create);
        }
        return server.url();
    }

    private static void migrateAndUse(String url, String user, String folder) {
        InMemoryBroker broker = new InMemoryBroker();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                        DataSourceTransactionManagerAutoConfiguration.class, FlywayAutoConfiguration.class,
                        EventcoreAutoConfiguration.class, EventcoreKafkaAutoConfiguration.class,
                        EventcoreOutboxAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + url, "spring.datasource.username=" + user,
                        "spring.datasource.password=",
                        "spring.flyway.locations=classpath:io/eventcore/outbox/jdbc/migration/" + folder
                                + ",classpath:io/eventcore/outbox/jdbc/migration-inbox/" + folder,
                        "eventcore.kafka.enabled=false", "eventcore.outbox.relay.max-poll-interval=100ms")
                .withBean(EventPublisher.class, broker::publisher)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                    assertThat(jdbc.queryForList("SELECT " + quoted(folder, "version")
                            + " FROM flyway_schema_history WHERE success = " + (folder.equals("mysql") ? "1" : "true")
                            + " ORDER BY installed_rank", String.class)).containsExactly("1", "2");

                    // the outbox on the migrated tables: appended in a transaction, relayed
                    OutboxAppender appender = context.getBean(OutboxAppender.class);
                    new TransactionTemplate(context.getBean(org.springframework.transaction.PlatformTransactionManager.class))
                            .executeWithoutResult(tx -> appender.append(OutboxEvent.of("Payment", "p-1", new Paid("p-1"))));
                    await().atMost(Duration.ofSeconds(30)).until(() -> !broker.messages("payment-events").isEmpty());

                    // the inbox on the migrated table: once, then skipped
                    AtomicInteger effects = new AtomicInteger();
                    try (JdbcInbox inbox = JdbcInbox.builder(context.getBean(DataSource.class)).build();
                         EventRouter router = EventRouter.builder()
                                 .route(Paid.class, inbox.handler((event, ctx, connection) -> effects.incrementAndGet()))
                                 .build()) {
                        InboundMessage paid = InboundMessage.builder("payments").consumerGroup("ledger")
                                .header(EventHeaders.EVENT_TYPE, "Paid").header(EventHeaders.EVENT_ID, "e-1")
                                .value("{\"id\":\"p-1\"}").build();
                        List<DispatchOutcome> outcomes = List.of(
                                router.dispatch(paid).toCompletableFuture().join().outcome(),
                                router.dispatch(paid).toCompletableFuture().join().outcome());
                        assertThat(outcomes).containsExactly(DispatchOutcome.SUCCEEDED, DispatchOutcome.SKIPPED);
                        assertThat(effects).hasValue(1);
                    }
                });
    }

    private static String quoted(String folder, String column) {
        return folder.equals("mysql") ? "`" + column + "`" : "\"" + column + "\"";
    }
}
