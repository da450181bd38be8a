package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.EventHeaders;
import io.eventcore.transport.EventPublisher;
import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.jdbc.docs.OutboxQuickstart;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.eventcore.test.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** docs/outbox.md's quickstart ({@link OutboxQuickstart}) run on H2 and an in-memory broker. */
class ReadmeOutboxTest {
    @Test
    void quickstart_publishesTheCommittedEvent() throws Exception {
        DataSource dataSource = TestDatabase.h2("readme_outbox").dataSource();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id VARCHAR(64) PRIMARY KEY, total DECIMAL(12, 2))");
        }
        InMemoryBroker broker = new InMemoryBroker();
        EventPublisher kafkaPublisher = broker.publisher();
        DeadLetterSink deadLetterSink = new InMemoryDeadLetterSink();
        OutboxPublisher relay = OutboxQuickstart.run(dataSource, kafkaPublisher, deadLetterSink, "order-1",
                new BigDecimal("12.50"));
        try {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !broker.messages("order-events").isEmpty());
            InboundMessage m = broker.messages("order-events").get(0);
            assertThat(m.keyAsString()).isEqualTo("order-1");
            assertThat(m.header(EventHeaders.EVENT_TYPE)).isEqualTo("OrderCreated");
            assertThat(new String(m.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"orderId\":\"order-1\",\"total\":12.50}");
        } finally {
            relay.close(Duration.ofSeconds(10));
        }
    }
}
