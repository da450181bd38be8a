package io.eventcore.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.test.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Spring Boot order service as {@code main} runs it, on its embedded defaults (the in-JVM broker and H2):
 * every order is reserved exactly once, the poison orders are on the dead-letter topic, and the exit code is 0.
 */
class SpringOrderServiceTest {
    private static final int ORDERS = 200;

    @AfterAll
    static void stopBroker() {
        // The next test class gets a broker without this run's order-events (OrderService consumes that topic).
        EmbeddedKafka.stop();
    }

    @Test
    void embeddedDefaults_reserveEveryOrderOnce_andDeadLetterThePoisonOrders() {
        ConfigurableApplicationContext context = SpringOrderService.application()
                .run("--example.orders=" + ORDERS, "--example.deadline=30s");
        String prefix = context.getBean(OrderDemo.class).orderIdPrefix();
        DemoSettings settings = context.getBean(DemoSettings.class);
        List<String> poison = IntStream.range(0, ORDERS).filter(settings::isPoison).mapToObj(i -> prefix + i).toList();
        List<String> healthy = IntStream.range(0, ORDERS).filter(i -> !settings.isPoison(i))
                .mapToObj(i -> prefix + i).toList();
        assertThat(poison).hasSize(2);

        // Redeliveries are tolerated: StockReservation is idempotent (the primary key keeps one row per order).
        List<String> reserved = context.getBean(JdbcTemplate.class).queryForList(
                "SELECT order_id FROM shop_reservations WHERE order_id LIKE ?", String.class, prefix + "%");
        assertThat(reserved).containsExactlyInAnyOrderElementsOf(healthy);
        assertThat(deadLetterKeys(context.getBean(KafkaClientSettings.class), poison)).containsAll(poison)
                .doesNotContainAnyElementsOf(healthy);
        assertThat(context.getBean(Tally.class).deadLettered()).isEqualTo(poison.size());

        assertThat(SpringApplication.exit(context)).as("exit code").isZero();
    }

    /** Reads order-events.dlq from the start until the expected keys are there (or 30 s passed). */
    private static Set<String> deadLetterKeys(KafkaClientSettings client, List<String> expected) {
        Map<String, Object> properties = new HashMap<>(client.properties());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(consumer.partitionsFor("order-events.dlq").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList());
            await("dead letters " + expected).atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100))
                        .forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
                return keys.containsAll(expected);
            });
        }
        return keys;
    }
}
