package io.eventcore.outbox.jdbc.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import io.eventcore.test.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/batch-handlers.md honest (its Java block is {@link PaymentLedger}, imports included) and runs the
 * snippet on the in-JVM broker and PostgreSQL: 3 partitions of payments, a poison record among them, a consumer
 * closed mid-way and started again; every payment lands in the ledger once, the poison in the dead-letter topic.
 */
class BatchHandlersDocIT {
    private static final Path DOC = Path.of("..", "docs", "batch-handlers.md");
    private static final Path SOURCE = Path.of("src", "test", "java", "io", "eventcore", "outbox", "jdbc", "docs",
            "PaymentLedger.java");

    @Test
    void javaBlock_isTheCompiledSnippet() throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1).strip());
        }
        String source = Files.readString(SOURCE);
        int start = source.indexOf("// snippet:batch");
        String snippet = source.substring(source.indexOf('\n', start) + 1, source.indexOf("// end:batch")).strip();
        assertThat(blocks).contains(snippet);
    }

    @Test
    void snippet_recordsEachPaymentOnce_acrossARestart_andDeadLettersThePoison() throws Exception {
        DataSource db = TestDatabase.postgres().dataSource();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS ledger (payment_id VARCHAR(64), amount_cents BIGINT)");
            s.execute("DELETE FROM ledger");
        }
        EmbeddedKafka.createTopics(3, "payments");
        KafkaClientSettings kafka = KafkaClientSettings.of(EmbeddedKafka.bootstrapServers());
        int total = 600;
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().client(kafka).topic("payments").build()) {
            List<Event<?>> events = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                events.add(Event.of("PaymentCaptured", "p-" + i, new PaymentLedger.PaymentCaptured("p-" + i, i)));
            }
            publisher.publishAll(events.subList(0, total / 2)).toCompletableFuture().join();
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers",
                    EmbeddedKafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                ProducerRecord<byte[], byte[]> poison = new ProducerRecord<>("payments", 0, null,
                        "not json".getBytes(StandardCharsets.UTF_8));
                poison.headers().add("event_type", "PaymentCaptured".getBytes(StandardCharsets.UTF_8));
                raw.send(poison).get();
            }
            publisher.publishAll(events.subList(total / 2, total)).toCompletableFuture().join();
        }
        try (JdbcInbox inbox = JdbcInbox.builder(db).table("ledger_inbox").build()) {
            inbox.createSchema();
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM ledger_inbox");
            }
            KafkaEventConsumer first = PaymentLedger.consumer(db, kafka, inbox);
            first.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(db, "SELECT COUNT(*) FROM ledger") >= total / 3);
            first.close(Duration.ofSeconds(10));
            KafkaEventConsumer second = PaymentLedger.consumer(db, kafka, inbox);
            second.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> count(db, "SELECT COUNT(*) FROM ledger") >= total
                        && KafkaTopics.endOffsets(EmbeddedKafka.bootstrapServers(), "payments.dlq") >= 1);
            } finally {
                second.close(Duration.ofSeconds(10));
            }
        }
        assertThat(count(db, "SELECT COUNT(*) FROM ledger")).isEqualTo(total);
        assertThat(count(db, "SELECT COUNT(DISTINCT payment_id) FROM ledger")).isEqualTo(total);
        assertThat(KafkaTopics.endOffsets(EmbeddedKafka.bootstrapServers(), "payments.dlq")).isEqualTo(1);
    }

    private static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
