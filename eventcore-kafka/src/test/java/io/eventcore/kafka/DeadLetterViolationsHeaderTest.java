package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.PayloadValidationException;
import io.eventcore.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** The Kafka sink writes the violations of a payload that failed validation as one header. */
class DeadLetterViolationsHeaderTest {

    private static DeadLetter letter(Throwable failure) {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        InboundMessage source = InboundMessage.builder("orders").value("{\"amount\":-1}").offset(4).build();
        return DeadLetter.builder().source(source).failure(failure).attempts(1).firstFailureAt(now).lastFailureAt(now)
                .build();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void validationFailure_becomesTheViolationsHeader_otherFailuresHaveNone() {
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers("127.0.0.1:1").build()) {
            PayloadValidationException invalid = new PayloadValidationException("OrderPlaced", List.of(
                    new Violation("amount", "must be greater than 0"), new Violation("lines[1].sku", "must not be \"blank\"")));
            ProducerRecord<byte[], byte[]> record = sink.toRecord(letter(invalid));
            assertThat(header(record, "eventcore_dlq_violations")).isEqualTo("[{\"path\":\"amount\",\"message\":"
                    + "\"must be greater than 0\"},{\"path\":\"lines[1].sku\",\"message\":\"must not be \\\"blank\\\"\"}]");
            assertThat(record.value()).isEqualTo("{\"amount\":-1}".getBytes(StandardCharsets.UTF_8));

            ProducerRecord<byte[], byte[]> other = sink.toRecord(letter(new IllegalStateException("boom")));
            assertThat(header(other, "eventcore_dlq_violations")).isNull();
        }
    }
}
