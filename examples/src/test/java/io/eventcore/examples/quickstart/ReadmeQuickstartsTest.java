package io.eventcore.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.examples.quickstart.Billing.PaymentRequested;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The README's plain-Java quickstart is {@link Billing} as compiled (imports included), and it does what the README
 * says on a real broker: a failed charge is retried, a poison payment goes to {@code payments.dlq} with its bytes.
 */
class ReadmeQuickstartsTest {
    private static final Path README = Path.of("..", "README.md");

    static String section(String heading) throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## " + heading + "\n");
        assertThat(start).as("README section \"## " + heading + "\"").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    static List<String> blocks(String section, String language) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            blocks.add(m.group(1).strip());
        }
        return blocks;
    }

    @Test
    void plainJavaBlock_isBillingAsCompiled_withItsImports() throws IOException {
        String source = Files.readString(Path.of("src", "main", "java", "io", "eventcore", "examples", "quickstart",
                "Billing.java"));
        int start = source.indexOf('\n', source.indexOf("// snippet:quickstart")) + 1;
        String snippet = source.substring(start, source.indexOf("// end:quickstart")).strip();
        assertThat(snippet).startsWith("import ");
        assertThat(blocks(section("Quickstart: plain Java"), "java")).containsExactly(snippet);
    }

    @Test
    void billing_retriesAFailedCharge_andDeadLettersThePoisonWithItsBytes() {
        String bootstrap = EmbeddedKafka.bootstrapServers();
        KafkaTopics.create(bootstrap, 3, "payments", "payments.dlq");
        KafkaClientSettings kafka = KafkaClientSettings.of(bootstrap);
        Set<String> charged = ConcurrentHashMap.newKeySet();
        AtomicInteger attempts = new AtomicInteger();
        KafkaEventConsumer consumer = Billing.consumer(kafka, payment -> {
            if (payment.orderId().equals("o-2") && attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("gateway timed out");
            }
            charged.add(payment.orderId());
        });
        consumer.start();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().client(kafka).topic("payments").build()) {
            Billing.request(publisher, new PaymentRequested("o-1", 1_000));
            Billing.request(publisher, new PaymentRequested("o-2", 2_000));
            Billing.request(publisher, new PaymentRequested("o-3", 0));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> charged.size() == 2);
            assertThat(charged).containsExactlyInAnyOrder("o-1", "o-2");
            assertThat(attempts).hasValue(2);
            List<ConsumerRecord<byte[], byte[]>> letters = read(bootstrap, "payments.dlq", 1);
            assertThat(new String(letters.get(0).key())).isEqualTo("o-3");
            assertThat(new String(letters.get(0).value())).isEqualTo("{\"orderId\":\"o-3\",\"amountCents\":0}");
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "quickstart-dlq-reader", "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            reader.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }
}
