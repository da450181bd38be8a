package com.example.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.EventcoreAutoConfiguration;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.EventcoreListener;
import io.eventcore.spring.boot.internal.KafkaClientsPairing;
import io.eventcore.transport.ConsumerHealth;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The starter on Spring Boot's managed dependency versions, as a Boot application gets them. */
class BootManagedVersionsTest {
    record OrderPlaced(String orderId) {
    }

    static class Orders {
        final List<String> placed = new CopyOnWriteArrayList<>();

        @EventcoreListener
        public void onPlaced(OrderPlaced order) {
            placed.add(order.orderId());
        }
    }

    @Test
    void resolvedKafkaClients_isTheTestedVersion_orADeclaredVerifiedPairing() {
        String running = AppInfoParser.getVersion();
        KafkaClientsPairing pairing = KafkaClientsPairing.load();
        System.out.println("[boot-managed-versions] kafka-clients " + running + " (eventcore tested with "
                + pairing.tested() + ", verified " + pairing.verified() + ")");
        assertThat(pairing.supports(running))
                .as("kafka-clients %s resolved under Spring Boot's dependency management: declare it verified in "
                        + "eventcore-kafka's %s with the reason, and in docs/spring-boot.md", running,
                        KafkaClientsPairing.RESOURCE)
                .isTrue();
    }

    @Test
    void starter_buildsItsKafkaBeans_routesListeners_andItsClientsRunOnTheManagedVersion() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class))
                .withBean(Orders.class)
                .withPropertyValues("eventcore.kafka.bootstrap-servers=127.0.0.1:9",
                        "eventcore.consumer.group-id=boot-managed", "eventcore.consumer.topics=orders",
                        "eventcore.consumer.auto-startup=false", "eventcore.publisher.topic=orders",
                        "eventcore.publisher.properties.max.block.ms=1000")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(KafkaEventConsumer.class)
                            .hasSingleBean(KafkaEventPublisher.class);
                    EventRouter router = context.getBean(EventRouter.class);
                    assertThat(router.dispatch(InboundMessage.builder("orders")
                            .header(EventHeaders.EVENT_TYPE, "OrderPlaced").value("{\"orderId\":\"o-1\"}").build())
                            .toCompletableFuture().join().outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
                    assertThat(context.getBean(Orders.class).placed).containsExactly("o-1");

                    // No broker listens on port 9: the producer path runs on this kafka-clients and times out.
                    KafkaEventPublisher publisher = context.getBean(KafkaEventPublisher.class);
                    assertThat(publisher.publish(Event.of("o-2", new OrderPlaced("o-2"))).toCompletableFuture())
                            .failsWithin(Duration.ofSeconds(30)).withThrowableOfType(java.util.concurrent.ExecutionException.class);
                    KafkaEventConsumer consumer = context.getBean(KafkaEventConsumer.class);
                    consumer.start();
                    assertThat(consumer.health().status()).isIn(ConsumerHealth.Status.UP,
                            ConsumerHealth.Status.DISCONNECTED);
                    consumer.close(Duration.ofSeconds(10));
                    assertThat(consumer.health().status()).isEqualTo(ConsumerHealth.Status.STOPPED);
                });
    }
}
