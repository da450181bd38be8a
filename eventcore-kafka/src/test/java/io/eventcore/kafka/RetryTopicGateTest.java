package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RetryTopicGateTest {
    private final RetryTopicGate gate = new RetryTopicGate(
            Map.of("orders", "orders.billing.retry", "payments", "payments.billing.retry"));
    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    private static ConsumerRecord<byte[], byte[]> record(String dueAt) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders.billing.retry", 0, 7, null, new byte[0]);
        if (dueAt != null) {
            r.headers().add(EventHeaders.DUE_AT, dueAt.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    @Test
    void subscription_addsEachRetryTopicOnce() {
        assertThat(gate.subscription(List.of("orders", "payments")))
                .containsExactly("orders", "payments", "orders.billing.retry", "payments.billing.retry");
        assertThat(new RetryTopicGate(Map.of()).subscription(List.of("orders"))).containsExactly("orders");
    }

    @Test
    void onlyThisGroupsRetryTopics_areGated_andOnlyWhenInUse() {
        assertThat(gate.isRetryTopic("orders.billing.retry")).isTrue();
        assertThat(gate.isRetryTopic("orders")).isFalse();
        assertThat(gate.isRetryTopic("orders.shipping.retry")).isFalse();
        assertThat(new RetryTopicGate(Map.of()).isRetryTopic("orders.billing.retry")).isFalse();
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

    @Test
    void defaultName_isTopicGroupRetry_withIllegalCharactersReplaced() {
        assertThat(RetryTopics.defaultName("orders", "billing")).isEqualTo("orders.billing.retry");
        assertThat(RetryTopics.defaultName("orders", "billing service/eu:1")).isEqualTo("orders.billing_service_eu_1.retry");
    }

    @Test
    void defaultName_tooLong_isCutToKafkasLimit_andStaysUnique() {
        String topic = "t".repeat(200);
        String a = RetryTopics.defaultName(topic, "g".repeat(100));
        String b = RetryTopics.defaultName(topic, "g".repeat(99) + "h");
        assertThat(a).hasSize(RetryTopics.MAX_TOPIC_LENGTH).endsWith(".retry").startsWith(topic).isNotEqualTo(b);
        assertThat(b).hasSize(RetryTopics.MAX_TOPIC_LENGTH);
        assertThat(a).matches("[a-zA-Z0-9._-]+");
    }

    @Test
    void naming_thatGivesAnIllegalOrConsumedOrSharedName_isRejected() {
        assertThatThrownBy(() -> RetryTopics.map(List.of("orders"), t -> t + "/retry"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("orders/retry");
        assertThatThrownBy(() -> RetryTopics.map(List.of("orders", "orders.r"), t -> t + ".r"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is a consumed topic itself");
        assertThatThrownBy(() -> RetryTopics.map(List.of("a", "b"), t -> "shared.retry"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another topic");
    }
}
