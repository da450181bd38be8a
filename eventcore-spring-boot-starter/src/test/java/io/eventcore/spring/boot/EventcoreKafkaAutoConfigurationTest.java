package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class EventcoreKafkaAutoConfigurationTest {
    // Nothing listens there: building clients needs no broker, and nothing is sent.
    private static final String SERVERS = "127.0.0.1:9";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withBean(EventcoreAutoConfigurationTest.OrderPlacedHandler.class)
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                    EventcoreKafkaAutoConfiguration.class))
            .withPropertyValues("eventcore.consumer.auto-startup=false", "eventcore.publisher.close-timeout=1s");

    @Test
    void bootstrapServers_givePublisherAndDeadLetterSink_butNoConsumerWithoutGroup() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS).run(context -> {
            assertThat(context).hasSingleBean(KafkaEventPublisher.class).hasSingleBean(KafkaDeadLetterSink.class)
                    .doesNotHaveBean(KafkaEventConsumer.class);
            assertThat(context.getBean(KafkaClientSettings.class).bootstrapServers()).isEqualTo(SERVERS);
        });
    }

    @Test
    void springKafkaSettings_areTheFallback() {
        runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:9,127.0.0.1:10",
                "spring.kafka.security.protocol=SSL",
                "spring.kafka.properties.client.dns.lookup=use_all_dns_ips",
                "spring.kafka.properties.sasl.mechanism=PLAIN").run(context -> {
                    KafkaClientSettings settings = context.getBean(KafkaClientSettings.class);
                    assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9,127.0.0.1:10");
                    assertThat(settings.properties()).containsEntry("security.protocol", "SSL")
                            .containsEntry("client.dns.lookup", "use_all_dns_ips")
                            .containsEntry("sasl.mechanism", "PLAIN");
                });
    }

    @Test
    void eventcoreKafkaSettings_winOverSpringKafka() {
        runner.withPropertyValues("spring.kafka.bootstrap-servers=127.0.0.1:10",
                "spring.kafka.properties.client.dns.lookup=default",
                "eventcore.kafka.bootstrap-servers=" + SERVERS,
                "eventcore.kafka.properties.client.dns.lookup=use_all_dns_ips").run(context -> {
                    KafkaClientSettings settings = context.getBean(KafkaClientSettings.class);
                    assertThat(settings.bootstrapServers()).isEqualTo(SERVERS);
                    assertThat(settings.properties()).containsEntry("client.dns.lookup", "use_all_dns_ips");
                });
    }

    @Test
    void noBootstrapServers_failsNamingBothProperties() {
        runner.run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                .hasMessageContaining("eventcore.kafka.bootstrap-servers")
                .hasMessageContaining("spring.kafka.bootstrap-servers"));
    }

    @Test
    void kafkaDisabled_noKafkaBeans() {
        runner.withPropertyValues("eventcore.kafka.enabled=false").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean(KafkaClientSettings.class).doesNotHaveBean(EventPublisher.class)
                .doesNotHaveBean(DeadLetterSink.class));
    }

    @Test
    void kafkaTransportNotOnClasspath_noKafkaBeans() {
        runner.withClassLoader(new FilteredClassLoader(KafkaEventPublisher.class))
                .withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(KafkaClientSettings.class));
    }

    @Test
    void publisherAndDeadLetterDisabled_areAbsent() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.publisher.enabled=false",
                "eventcore.dead-letter.enabled=false").run(context -> assertThat(context)
                        .hasSingleBean(KafkaClientSettings.class).doesNotHaveBean(EventPublisher.class)
                        .doesNotHaveBean(DeadLetterSink.class));
    }

    @Test
    void ownPublisherAndSink_backOff() {
        InMemoryBroker broker = new InMemoryBroker();
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS)
                .withBean(EventPublisher.class, broker::publisher)
                .withBean(InMemoryDeadLetterSink.class, InMemoryDeadLetterSink::new)
                .run(context -> assertThat(context).doesNotHaveBean(KafkaEventPublisher.class)
                        .doesNotHaveBean(KafkaDeadLetterSink.class).hasSingleBean(EventPublisher.class)
                        .hasSingleBean(DeadLetterSink.class));
    }

    @Test
    void groupAndTopics_giveAConsumer_withBoundSettings() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
                "eventcore.consumer.topics=orders,refunds", "eventcore.consumer.ordering=PARTITION",
                "eventcore.consumer.max-concurrency=4", "eventcore.consumer.stall-timeout=2m",
                "eventcore.consumer.properties.max.poll.records=50").run(context -> {
                    assertThat(context).hasSingleBean(KafkaEventConsumer.class);
                    assertThat(context.getBean(KafkaEventConsumer.class).toString())
                            .contains("group.id=billing").contains("max.poll.records=50");
                    EventcoreProperties.Consumer consumer = context.getBean(EventcoreProperties.class).consumer();
                    assertThat(consumer.topics()).containsExactly("orders", "refunds");
                    assertThat(consumer.ordering()).isEqualTo(Ordering.PARTITION);
                    assertThat(consumer.maxConcurrency()).isEqualTo(4);
                    assertThat(consumer.stallTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(consumer.properties()).isEqualTo(Map.of("max.poll.records", "50"));
                });
    }

    @Test
    void groupWithoutTopics_failsNamingTheProperty() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("eventcore.consumer.topics"));
    }

    @Test
    void groupWithoutRoutes_failsSayingWhatIsMissing() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class))
                .withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
                        "eventcore.consumer.topics=orders")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("no single EventRouter bean"));
    }

    @Test
    void consumerDisabled_isAbsent() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
                "eventcore.consumer.topics=orders", "eventcore.consumer.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(KafkaEventConsumer.class));
    }

    @Test
    void ownConsumer_backsOff() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
                "eventcore.consumer.topics=orders").withBean(RecordingConsumer.class, RecordingConsumer::new)
                .run(context -> assertThat(context).doesNotHaveBean(KafkaEventConsumer.class)
                        .hasSingleBean(RecordingConsumer.class));
    }

    @Test
    void transactionProperties_reachTheClientSettings_andTheConsumer() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS,
                "eventcore.kafka.transactional-id-prefix=billing-", "eventcore.kafka.transaction-timeout=2m",
                "eventcore.kafka.isolation-level=read_uncommitted", "eventcore.kafka.positions-topic=billing-positions",
                "eventcore.consumer.group-id=billing", "eventcore.consumer.topics=orders").run(context -> {
                    KafkaClientSettings settings = context.getBean(KafkaClientSettings.class);
                    assertThat(settings.transactionalIdPrefix()).isEqualTo("billing-");
                    assertThat(settings.transactionTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(settings.isolationLevel()).isEqualTo("read_uncommitted");
                    assertThat(settings.positionsTopic()).isEqualTo("billing-positions");
                    assertThat(context.getBean(KafkaEventConsumer.class).toString())
                            .contains("isolation.level=read_uncommitted");
                });
    }

    @Test
    void transactionPropertiesUnset_keepTheLibraryDefaults() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS).run(context -> {
            KafkaClientSettings settings = context.getBean(KafkaClientSettings.class);
            assertThat(settings.transactionalIdPrefix()).isEqualTo(KafkaClientSettings.DEFAULT_TRANSACTIONAL_ID_PREFIX);
            assertThat(settings.transactionTimeout()).isNull();
            assertThat(settings.isolationLevel()).isEqualTo(KafkaClientSettings.DEFAULT_ISOLATION_LEVEL);
            assertThat(settings.positionsTopic()).isEqualTo(KafkaClientSettings.DEFAULT_POSITIONS_TOPIC);
            assertThat(context.getBean(EventcoreProperties.class).consumer().exactlyOnce()).isFalse();
        });
    }

    @Test
    void invalidIsolationLevel_failsNamingIt() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS,
                "eventcore.kafka.isolation-level=serializable").run(context -> assertThat(context).hasFailed()
                        .getFailure().hasMessageContaining("isolationLevel").hasMessageContaining("serializable"));
    }

    @Test
    void zeroTransactionTimeout_failsNamingIt() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS,
                "eventcore.kafka.transaction-timeout=0s").run(context -> assertThat(context).hasFailed()
                        .getFailure().hasMessageContaining("transactionTimeout must be > 0"));
    }

    @Test
    void blankTransactionalIdPrefix_failsNamingIt() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS,
                "eventcore.kafka.transactional-id-prefix= ").run(context -> assertThat(context).hasFailed()
                        .getFailure().hasMessageContaining("transactionalIdPrefix must not be blank"));
    }

    @Test
    void transactionalPublisher_reachesTheBuilder_whichRejectsANonIdempotentProducer() {
        // Only a transactional publisher needs an idempotent producer: the same properties are fine without it.
        String[] notIdempotent = {"eventcore.kafka.bootstrap-servers=" + SERVERS,
            "eventcore.publisher.properties.enable.idempotence=false"};
        runner.withPropertyValues(notIdempotent).run(context -> {
            assertThat(context).hasSingleBean(KafkaEventPublisher.class);
            assertThat(context.getBean(EventcoreProperties.class).publisher().transactional()).isFalse();
        });
        runner.withPropertyValues(notIdempotent).withPropertyValues("eventcore.publisher.transactional=true")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasMessageContaining("transactional needs an idempotent producer"));
    }

    @Test
    void virtualThreads_followSpringsSwitch_andTheEventcoreSettingWins() {
        String[] consumer = {"eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
            "eventcore.consumer.topics=orders"};
        // Spring's switch never forces virtual threads on a JVM without them; ours does, and says why it cannot.
        runner.withPropertyValues(consumer).withPropertyValues("spring.threads.virtual.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(KafkaEventConsumer.class));
        runner.withPropertyValues(consumer).withPropertyValues("spring.threads.virtual.enabled=true",
                "eventcore.consumer.virtual-threads=false")
                .run(context -> assertThat(context).hasSingleBean(KafkaEventConsumer.class));
        if (Runtime.version().feature() < 21) {
            runner.withPropertyValues(consumer).withPropertyValues("eventcore.consumer.virtual-threads=true")
                    .run(context -> assertThat(context).hasFailed().getFailure()
                            .hasMessageContaining("virtualThreads(true) needs JDK 21"));
        } else {
            runner.withPropertyValues(consumer).withPropertyValues("eventcore.consumer.virtual-threads=true")
                    .run(context -> assertThat(context.getBean(EventcoreProperties.class).consumer().virtualThreads())
                            .isTrue());
        }
    }

    @Test
    void exactlyOnce_givesATransactionalConsumer() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
                "eventcore.consumer.topics=orders", "eventcore.consumer.exactly-once=true").run(context -> {
                    assertThat(context).hasSingleBean(KafkaEventConsumer.class);
                    assertThat(context.getBean(EventcoreProperties.class).consumer().exactlyOnce()).isTrue();
                });
    }

    @Test
    void exactlyOnce_reachesTheBuilder_whichRejectsANonIdempotentProducer() {
        // Only an exactly-once consumer needs a transactional producer: its retry-topic producer may do without.
        String[] notIdempotent = {"eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.group-id=billing",
            "eventcore.consumer.topics=orders", "eventcore.consumer.properties.enable.idempotence=false"};
        runner.withPropertyValues(notIdempotent)
                .run(context -> assertThat(context).hasSingleBean(KafkaEventConsumer.class));
        runner.withPropertyValues(notIdempotent).withPropertyValues("eventcore.consumer.exactly-once=true")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasMessageContaining("exactlyOnce needs an idempotent producer"));
    }

    @Test
    void exactlyOnce_withoutPublisherOrKafkaSink_takesOnlyOffsets() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.publisher.enabled=false",
                "eventcore.dead-letter.enabled=false", "eventcore.consumer.group-id=billing",
                "eventcore.consumer.topics=orders", "eventcore.consumer.exactly-once=true")
                .withBean(InMemoryDeadLetterSink.class, InMemoryDeadLetterSink::new)
                .run(context -> assertThat(context).hasSingleBean(KafkaEventConsumer.class)
                        .doesNotHaveBean(KafkaEventPublisher.class));
    }

    @Test
    void defaults_areBound() {
        runner.withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS).run(context -> {
            EventcoreProperties properties = context.getBean(EventcoreProperties.class);
            assertThat(properties.kafka().bootstrapServers()).isEqualTo(List.of(SERVERS));
            assertThat(properties.consumer().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(properties.deadLetter().suffix()).isEqualTo(".dlq");
            assertThat(properties.outbox().relay().shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.outbox().createSchema()).isFalse();
        });
    }
}
