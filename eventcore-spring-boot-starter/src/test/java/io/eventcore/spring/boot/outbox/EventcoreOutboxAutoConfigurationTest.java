package io.eventcore.spring.boot.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.spring.boot.EventcoreAutoConfiguration;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.EventcoreProperties;
import io.eventcore.spring.boot.OrderPlaced;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

class EventcoreOutboxAutoConfigurationTest {
    private final InMemoryBroker broker = new InMemoryBroker();
    private final DataSource dataSource = TestDatabase.h2("boot-outbox-" + UUID.randomUUID()).dataSource();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                    EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class))
            .withPropertyValues("eventcore.kafka.enabled=false", "eventcore.outbox.create-schema=true")
            .withBean(DataSource.class, () -> dataSource)
            .withBean(EventPublisher.class, broker::publisher);

    @Test
    void dataSourceAndPublisher_giveOutboxAppenderAndRunningRelay() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(JdbcOutbox.class).hasSingleBean(OutboxAppender.class)
                    .hasSingleBean(OutboxPublisher.class);
            assertThat(context.getBean(OutboxPublisher.class).status().running()).isTrue();
        });
    }

    @Test
    void committedTransaction_isRelayed_rolledBackOneIsNot() {
        runner.run(context -> {
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            OutboxAppender appender = context.getBean(OutboxAppender.class);
            tx.executeWithoutResult(status -> {
                appender.append(OutboxEvent.of("Order", "o-1", new OrderPlaced("o-1")));
                status.setRollbackOnly();
            });
            tx.executeWithoutResult(status -> appender.append(OutboxEvent.of("Order", "o-2", new OrderPlaced("o-2"))));
            await().atMost(Duration.ofSeconds(20)).until(() -> !broker.messages("order-events").isEmpty());
            assertThat(broker.messages("order-events")).extracting(message -> message.keyAsString())
                    .containsExactly("o-2");
        });
    }

    @Test
    void appendOutsideATransaction_isRejected() {
        runner.run(context -> assertThatThrownBy(() -> context.getBean(OutboxAppender.class)
                .append(OutboxEvent.of("Order", "o-3", new OrderPlaced("o-3"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("@Transactional"));
    }

    @Test
    void appendUsesTheTransactionsConnection() {
        runner.run(context -> {
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            tx.executeWithoutResult(status -> {
                context.getBean(OutboxAppender.class).append(OutboxEvent.of("Order", "o-4", new OrderPlaced("o-4")));
                assertThat(pendingRows(context)).isEqualTo(1);
                status.setRollbackOnly();
            });
            assertThat(pendingRowsOutsideTransaction()).isZero();
        });
    }

    private long pendingRows(ApplicationContext context) {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return count(connection);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private long pendingRowsOutsideTransaction() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return count(connection);
        }
    }

    private static long count(Connection connection) {
        return count(connection, "eventcore_outbox");
    }

    private static long count(Connection connection, String table) {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void relayDisabled_keepsTheOutbox() {
        runner.withPropertyValues("eventcore.outbox.relay.enabled=false").run(context -> assertThat(context)
                .hasSingleBean(OutboxAppender.class).doesNotHaveBean(OutboxPublisher.class));
    }

    @Test
    void noPublisher_noRelay() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class))
                .withPropertyValues("eventcore.kafka.enabled=false")
                .withBean(DataSource.class, () -> dataSource)
                .run(context -> assertThat(context).hasSingleBean(JdbcOutbox.class)
                        .doesNotHaveBean(OutboxPublisher.class));
    }

    @Test
    void outboxDisabled_noOutboxBeans() {
        runner.withPropertyValues("eventcore.outbox.enabled=false").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean(JdbcOutbox.class).doesNotHaveBean(OutboxPublisher.class));
    }

    @Test
    void noDataSource_noOutboxBeans() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreOutboxAutoConfiguration.class))
                .withBean(EventPublisher.class, broker::publisher)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcOutbox.class));
    }

    @Test
    void outboxModuleNotOnClasspath_noOutboxBeans() {
        runner.withClassLoader(new FilteredClassLoader(JdbcOutbox.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(OutboxAppender.class));
    }

    @Test
    void springJdbcNotOnClasspath_noOutboxBeans() {
        runner.withClassLoader(new FilteredClassLoader(DataSourceUtils.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JdbcOutbox.class));
    }

    @Test
    void ownOutboxAndRelay_backOff() {
        JdbcOutbox own = JdbcOutbox.builder(dataSource).table("own_outbox").build();
        runner.withBean("ownOutbox", JdbcOutbox.class, () -> own).withPropertyValues("eventcore.outbox.create-schema=false")
                .run(context -> {
                    assertThat(context.getBean(JdbcOutbox.class)).isSameAs(own);
                    assertThat(context).hasSingleBean(OutboxAppender.class);
                });
    }

    @Test
    void relayProperties_areApplied() {
        runner.withPropertyValues("eventcore.outbox.relay.relay-id=relay-a", "eventcore.outbox.relay.batch-size=10")
                .run(context -> assertThat(context.getBean(OutboxPublisher.class).relayId()).isEqualTo("relay-a"));
    }

    @Test
    void relayTransactionalUnset_followsThePublisher() {
        runner.run(context -> assertThat(context.getBean(OutboxPublisher.class).transactional()).isTrue());
    }

    @Test
    void relayTransactionalFalse_turnsTransactionsOff() {
        runner.withPropertyValues("eventcore.outbox.relay.transactional=false",
                "eventcore.outbox.relay.one-in-flight-per-key=true")
                .run(context -> {
                    assertThat(context.getBean(OutboxPublisher.class).transactional()).isFalse();
                    assertThat(context.getBean(EventcoreProperties.class).outbox().relay().oneInFlightPerKey()).isTrue();
                });
    }

    @Test
    void relayTransactionalTrue_withAPublisherWithoutTransactions_failsNamingIt() {
        EventPublisher transactional = broker.publisher();
        EventPublisher plain = new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                return transactional.send(message);
            }

            @Override
            public void close() {
            }
        };
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class))
                .withPropertyValues("eventcore.kafka.enabled=false", "eventcore.outbox.create-schema=true",
                        "eventcore.outbox.relay.transactional=true")
                .withBean(DataSource.class, () -> dataSource)
                .withBean(EventPublisher.class, () -> plain)
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasMessageContaining("transactional is true").hasMessageContaining("offers no transactions"));
    }

    @Test
    void relayOutboxName_namesItsTransactionalStreams() {
        runner.withPropertyValues("eventcore.outbox.relay.outbox-name=orders-outbox").run(context -> {
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            tx.executeWithoutResult(status -> context.getBean(OutboxAppender.class)
                    .append(OutboxEvent.of("Order", "o-6", new OrderPlaced("o-6"))));
            await().atMost(Duration.ofSeconds(20)).until(() -> !broker.messages("order-events").isEmpty());
            int shards = JdbcOutbox.DEFAULT_SHARDS;
            await().atMost(Duration.ofSeconds(20)).until(() -> IntStream.range(0, shards)
                    .anyMatch(shard -> broker.position("orders-outbox-" + shard).isPresent()));
            assertThat(IntStream.range(0, shards).noneMatch(shard -> broker.position("eventcore_outbox-" + shard)
                    .isPresent())).isTrue();
        });
    }

    @Test
    void blankOutboxName_failsNamingIt() {
        runner.withPropertyValues("eventcore.outbox.relay.outbox-name= ").run(context -> assertThat(context)
                .hasFailed().getFailure().hasMessageContaining("outboxName must not be blank"));
    }

    @Test
    void tableProperty_namesTheOutboxTable() {
        runner.withPropertyValues("eventcore.outbox.table=custom_outbox", "eventcore.outbox.relay.enabled=false")
                .run(context -> {
                    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
                    tx.executeWithoutResult(status -> context.getBean(OutboxAppender.class)
                            .append(OutboxEvent.of("Order", "o-5", new OrderPlaced("o-5"))));
                    try (Connection connection = dataSource.getConnection()) {
                        assertThat(count(connection, "custom_outbox")).isEqualTo(1);
                    }
                });
    }

    @Test
    void invalidOutboxProperty_failsNamingIt() {
        runner.withPropertyValues("eventcore.outbox.shards=0").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("shards"));
    }

    @Test
    void invalidRelayProperty_failsNamingIt() {
        runner.withPropertyValues("eventcore.outbox.relay.batch-size=0").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("batchSize"));
    }
}
