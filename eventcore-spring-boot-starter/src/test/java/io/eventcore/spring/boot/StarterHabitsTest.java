package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.transport.EventConsumer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What a Spring Kafka user expects from properties: several consumers, {@code spring.kafka.ssl.*}, topic beans. */
class StarterHabitsTest {
    private static final String SERVERS = "127.0.0.1:9"; // nothing listens: clients are built, nothing is sent

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withBean(EventcoreListenerTest.Payments.class)
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                    EventcoreKafkaAutoConfiguration.class))
            .withPropertyValues("eventcore.kafka.bootstrap-servers=" + SERVERS, "eventcore.consumer.auto-startup=false",
                    "eventcore.publisher.close-timeout=1s");

    @Test
    void namedConsumers_areBeansOfTheirOwn_besideTheSingleOne() {
        runner.withPropertyValues("eventcore.consumer.group-id=orders", "eventcore.consumer.topics=order-events",
                "eventcore.consumers.billing.group-id=billing", "eventcore.consumers.billing.topics=payments",
                "eventcore.consumers.billing.max-concurrency=4",
                "eventcore.consumers.audit.group-id=audit", "eventcore.consumers.audit.topics=order-events,payments",
                "eventcore.consumers.audit.ordering=UNORDERED",
                "eventcore.consumers.off.group-id=off", "eventcore.consumers.off.topics=x",
                "eventcore.consumers.off.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(EventConsumer.class)).containsOnlyKeys("eventcoreConsumer",
                            "eventcoreConsumer.billing", "eventcoreConsumer.audit");
                    assertThat(context.getBean("eventcoreConsumer.billing")).isInstanceOf(KafkaEventConsumer.class);
                    assertThat(context.getBean(EventcoreProperties.class).consumers()).containsKeys("billing", "audit");
                });
    }

    @Test
    void shareConsumers_areBeansOfTheirOwn_withTheirOwnLifecycle() {
        runner.withPropertyValues("eventcore.share-consumers.thumbnails.group-id=thumbnails",
                "eventcore.share-consumers.thumbnails.topics=images",
                "eventcore.share-consumers.thumbnails.max-concurrency=8",
                "eventcore.share-consumers.thumbnails.auto-startup=false").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(EventConsumer.class)).containsOnlyKeys(
                            "eventcoreShareConsumer.thumbnails");
                    assertThat(context.getBean("eventcoreShareConsumer.thumbnails"))
                            .isInstanceOf(io.eventcore.kafka.KafkaShareEventConsumer.class);
                    assertThat(context.getBean("eventcoreShareConsumer.thumbnails", EventConsumer.class).health()
                            .status()).as("auto-startup=false: not started").isEqualTo(
                                    io.eventcore.transport.ConsumerHealth.Status.STOPPED);
                });
        runner.withPropertyValues("eventcore.share-consumers.thumbnails.group-id=thumbnails").run(context ->
                assertThat(context).hasFailed().getFailure().hasStackTraceContaining(
                        "eventcore.share-consumers.thumbnails.topics"));
    }

    @Test
    void aNamedConsumerWithoutTopics_failsStartUp_namingIt() {
        runner.withPropertyValues("eventcore.consumers.billing.group-id=billing").run(context -> assertThat(context)
                .hasFailed().getFailure().rootCause().hasMessageContaining("eventcore.consumers.billing.topics"));
    }

    @Test
    void springKafkaSsl_isReused_andEventcorePropertiesWin(@TempDir Path dir) throws IOException {
        Path truststore = Files.writeString(dir.resolve("trust.jks"), "not a real store");
        runner.withPropertyValues("spring.kafka.security.protocol=SSL",
                "spring.kafka.ssl.trust-store-location=file:" + truststore,
                "spring.kafka.ssl.trust-store-password=changeit", "spring.kafka.ssl.trust-store-type=JKS",
                "spring.kafka.ssl.key-password=k", "spring.kafka.ssl.protocol=TLSv1.3",
                "eventcore.kafka.properties.ssl.protocol=TLSv1.2",
                // the store is not a real one: no client is built, only the settings every client gets
                "eventcore.publisher.enabled=false", "eventcore.dead-letter.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KafkaClientSettings.class).properties())
                            .containsEntry("security.protocol", "SSL")
                            .containsEntry("ssl.truststore.location", truststore.toAbsolutePath().toString())
                            .containsEntry("ssl.truststore.password", "changeit")
                            .containsEntry("ssl.truststore.type", "JKS").containsEntry("ssl.key.password", "k")
                            .containsEntry("ssl.protocol", "TLSv1.2");
                });
    }

    @Test
    void sslBundles_areRefused_ratherThanIgnored() {
        runner.withPropertyValues("spring.kafka.ssl.bundle=kafka").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("spring.kafka.ssl.bundle"));
    }

    @Test
    void newTopicBeans_areCreatedAtStartUp_andAnAbsentBrokerFailsItNamingThem_unlessSwitchedOff() {
        runner.withBean("orders", NewTopic.class, () -> new NewTopic("orders", 3, (short) 1))
                .withPropertyValues("eventcore.kafka.topics-timeout=1s")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("[orders]").hasStackTraceContaining("eventcore.kafka.topics-timeout"));
        runner.withBean("orders", NewTopic.class, () -> new NewTopic("orders", 3, (short) 1))
                .withPropertyValues("eventcore.kafka.create-topics=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("eventcoreTopics"));
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("eventcoreTopics"));
        assertThat(KafkaTopicsAtStartup.PHASE)
                .isLessThan(io.eventcore.spring.boot.outbox.EventcoreOutboxAutoConfiguration.RELAY_PHASE)
                .isLessThan(EventcoreAutoConfiguration.CONSUMER_PHASE);
    }

    @Test
    void oneProducerPerApplication_theDeadLetterSinkWritesThroughThePublishers_unlessConfiguredOtherwise() {
        int before = producers();
        runner.withPropertyValues("eventcore.consumer.group-id=orders", "eventcore.consumer.topics=order-events")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(producers() - before).as("publisher, dead-letter sink and consumer share one").isOne();
                });
        runner.withPropertyValues("eventcore.dead-letter.own-producer=true")
                .run(context -> assertThat(producers() - before).isEqualTo(2));
    }

    /** @return the Kafka producers open in this JVM (each registers its metrics MBean) */
    private static int producers() {
        try {
            return ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("kafka.producer:type=producer-metrics,*"), null).size();
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
