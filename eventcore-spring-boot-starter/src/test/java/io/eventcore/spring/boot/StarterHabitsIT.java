package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.NonRetryableException;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import io.eventcore.transport.EventConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Spring user's habits on a real broker: topics declared as {@code NewTopic} beans and created at start-up, two
 * consumers from {@code eventcore.consumers.*}, annotated listener methods (sync and async), the retry policy from
 * {@code eventcore.router.retry.*}, and a poison event dead-lettered to its topic's DLQ.
 */
class StarterHabitsIT {
    private static final String ORDERS = "habits-orders";
    private static final String PAYMENTS = "habits-payments";

    record HabitOrder(String id) {
    }

    record HabitPayment(String id, long cents) {
    }

    static class Listeners {
        final Set<String> orders = ConcurrentHashMap.newKeySet();
        final Set<String> payments = ConcurrentHashMap.newKeySet();
        final AtomicInteger orderAttempts = new AtomicInteger();

        @EventcoreListener
        public void onOrder(HabitOrder order) {
            if (order.id().equals("o-1") && orderAttempts.incrementAndGet() == 1) {
                throw new IllegalStateException("stock service timed out"); // retried by the properties' policy
            }
            orders.add(order.id());
        }

        @EventcoreListener
        public CompletionStage<Void> onPayment(Event<HabitPayment> event, EventContext context) {
            if (event.payload().cents() <= 0) {
                throw new NonRetryableException("payment " + event.payload().id() + " has no amount");
            }
            payments.add(event.payload().id());
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void topicsCreated_twoConsumersFromProperties_listenersRetryAndDeadLetter() throws Exception {
        String bootstrap = EmbeddedKafka.bootstrapServers();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class))
                .withBean(Listeners.class)
                .withBean("ordersTopic", NewTopic.class, () -> new NewTopic(ORDERS, 3, (short) 1))
                .withBean("paymentsTopic", NewTopic.class, () -> new NewTopic(PAYMENTS, 2, (short) 1))
                .withBean("paymentsDlq", NewTopic.class, () -> new NewTopic(PAYMENTS + ".dlq", 1, (short) 1))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + bootstrap,
                        "eventcore.consumers.orders.group-id=habits-orders", "eventcore.consumers.orders.topics=" + ORDERS,
                        "eventcore.consumers.payments.group-id=habits-payments",
                        "eventcore.consumers.payments.topics=" + PAYMENTS,
                        "eventcore.consumers.payments.ordering=PARTITION",
                        "eventcore.router.retry.max-attempts=3", "eventcore.router.retry.initial-delay=50ms",
                        "eventcore.consumer.shutdown-timeout=10s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(EventConsumer.class)).containsOnlyKeys(
                            "eventcoreConsumer.orders", "eventcoreConsumer.payments");
                    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                        assertThat(admin.describeTopics(List.of(ORDERS, PAYMENTS)).allTopicNames().get())
                                .hasEntrySatisfying(ORDERS, d -> assertThat(d.partitions()).hasSize(3))
                                .hasEntrySatisfying(PAYMENTS, d -> assertThat(d.partitions()).hasSize(2));
                    }
                    try (KafkaEventPublisher orders = KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                            .topic(ORDERS).build();
                         KafkaEventPublisher payments = KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                                 .topic(PAYMENTS).build()) {
                        orders.publishAll(List.of(Event.of("o-1", new HabitOrder("o-1")),
                                Event.of("o-2", new HabitOrder("o-2")))).toCompletableFuture().join();
                        payments.publishAll(List.of(Event.of("p-1", new HabitPayment("p-1", 100)),
                                Event.of("p-0", new HabitPayment("p-0", 0)))).toCompletableFuture().join();
                    }
                    Listeners listeners = context.getBean(Listeners.class);
                    await().atMost(Duration.ofSeconds(60)).until(() -> listeners.orders.size() == 2
                            && listeners.payments.size() == 1 && KafkaTopics.endOffsets(bootstrap, PAYMENTS + ".dlq") == 1);
                    assertThat(listeners.orders).containsExactlyInAnyOrder("o-1", "o-2");
                    assertThat(listeners.orderAttempts).hasValue(2);
                    assertThat(listeners.payments).containsExactly("p-1");
                });
    }
}
