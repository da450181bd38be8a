package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.KafkaBrokerProcess;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code spring.kafka.*} connection and SSL settings are reused on a real broker that only speaks TLS: the topic is
 * created, the publisher bean writes and the listener reads, with no {@code eventcore.kafka.*} setting at all.
 */
class SpringKafkaSslIT {
    record SslPing(String id) {
    }

    static class Pings {
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        @EventcoreListener
        public void onPing(SslPing ping) {
            seen.add(ping.id());
        }
    }

    @Test
    void springKafkaSslSettings_reachATlsOnlyBroker() {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(KafkaBrokerProcess.Security.SSL)) {
            Map<String, Object> client = broker.clientProperties();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                            EventcoreKafkaAutoConfiguration.class))
                    .withBean(Pings.class)
                    .withBean("pingsTopic", NewTopic.class, () -> new NewTopic("ssl-pings", 2, (short) 1))
                    .withPropertyValues("spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                            "spring.kafka.security.protocol=SSL",
                            "spring.kafka.ssl.trust-store-location=file:" + client.get("ssl.truststore.location"),
                            "spring.kafka.ssl.trust-store-password=" + client.get("ssl.truststore.password"),
                            "spring.kafka.ssl.trust-store-type=" + client.get("ssl.truststore.type"),
                            "eventcore.publisher.topic=ssl-pings",
                            "eventcore.consumer.group-id=ssl-pings", "eventcore.consumer.topics=ssl-pings",
                            "eventcore.consumer.shutdown-timeout=10s")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        context.getBean(KafkaEventPublisher.class).publish(Event.of("p-1", new SslPing("p-1")))
                                .toCompletableFuture().get();
                        await().atMost(Duration.ofSeconds(60))
                                .until(() -> context.getBean(Pings.class).seen.contains("p-1"));
                    });
        }
    }
}
