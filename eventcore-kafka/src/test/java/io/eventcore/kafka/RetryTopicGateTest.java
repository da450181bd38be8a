package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RetryTopicGateTest {
    private final RetryTopicGate gate = new RetryTopicGate(true, ".retry");
    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    private static ConsumerRecord<byte[], byte[]> record(String dueAt) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders.retry", 0, 7, null, new byte[0]);
        if (dueAt != null) {
            r.headers().add(EventHeaders.DUE_AT, dueAt.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void subscription_addsEachRetryTopicOnce() {
        assertThat(gate.subscription(List.of("orders", "payments", "orders.retry")))
                .containsExactly("orders", "payments", "orders.retry", "payments.retry");
        assertThat(new RetryTopicGate(false, ".retry").subscription(List.of("orders"))).containsExactly("orders");
    }

    @Test
    void onlyRetryTopics_areGated_andOnlyWhileEnabled() {
        assertThat(gate.isRetryTopic("orders.retry")).isTrue();
        assertThat(gate.isRetryTopic("orders")).isFalse();
        assertThat(new RetryTopicGate(false, ".retry").isRetryTopic("orders.retry")).isFalse();
    }

    @Test
    void recordDueLater_isHeldUntilItsDueTime() {
        assertThat(gate.holdUntil(record("2030-01-01T00:00:05Z"), now)).isEqualTo(now.plusSeconds(5));
    }

    @Test
    void recordDueNowOrWithoutAReadableDueTime_isProcessedNow() {
        assertThat(gate.holdUntil(record("2030-01-01T00:00:00Z"), now)).isNull();
        assertThat(gate.holdUntil(record("2029-12-31T23:59:59Z"), now)).isNull();
        assertThat(gate.holdUntil(record(null), now)).isNull();
        assertThat(gate.holdUntil(record("tomorrow"), now)).isNull();
    }
}
