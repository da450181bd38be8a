package io.eventcore.outbox.jdbc.docs;

// snippet:batch
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.sql.PreparedStatement;
import javax.sql.DataSource;

class PaymentLedger {
    record PaymentCaptured(String paymentId, long amountCents) {
    }

    static KafkaEventConsumer consumer(DataSource db, KafkaClientSettings kafka, JdbcInbox inbox) {
        EventRouter router = EventRouter.builder()
                .routeBatch(PaymentCaptured.class, inbox.batchHandler((events, ctx, connection) -> {
                    // One transaction for the whole batch: the inbox records and these rows commit together.
                    try (PreparedStatement insert = connection.prepareStatement(
                            "INSERT INTO ledger (payment_id, amount_cents) VALUES (?, ?)")) {
                        for (var event : events) {
                            insert.setString(1, event.payload().paymentId());
                            insert.setLong(2, event.payload().amountCents());
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                }), options -> options.maxBatchSize(100))
                .deadLetter(KafkaDeadLetterSink.builder().client(kafka).build())
                .build();
        return KafkaEventConsumer.builder().client(kafka).groupId("ledger").topics("payments")
                .router(router).ordering(Ordering.PARTITION).build();
    }
}
// end:batch
