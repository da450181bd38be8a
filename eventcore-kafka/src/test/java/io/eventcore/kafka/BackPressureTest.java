package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BackPressureTest {
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    private final TopicPartition p1 = new TopicPartition("orders", 1);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Assignments assignments = new Assignments();
    private final BackPressure backPressure = new BackPressure(10, 3);
    private final Instant now = Instant.parse("2030-01-01T00:00:00Z");

    BackPressureTest() {
        consumer.assign(List.of(p0, p1));
        assignments.assign(p0);
        assignments.assign(p1);
    }

    @Test
    void partitionAtItsInFlightLimit_isPaused_andResumedBelowIt() {
        assignments.get(p0).inFlight = 3;
        backPressure.adjust(consumer, assignments.all(), 3, now);
        assertThat(consumer.paused()).containsExactly(p0);

        assignments.get(p0).inFlight = 2;
        backPressure.adjust(consumer, assignments.all(), 2, now);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void globalInFlightLimit_pausesEveryPartition() {
        backPressure.adjust(consumer, assignments.all(), 10, now);
        assertThat(consumer.paused()).containsExactlyInAnyOrder(p0, p1);
    }

    @Test
    void blockedPartition_staysPausedUntilUnblocked() {
        assignments.get(p1).blocked = 1;
        backPressure.adjust(consumer, assignments.all(), 0, now);
        assertThat(consumer.paused()).containsExactly(p1);
        assignments.get(p1).blocked = 0;
        backPressure.adjust(consumer, assignments.all(), 0, now);
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void partitionWaitingForADueTime_isPausedUntilThen_andTheDueTimeIsClearedAfter() {
        PartitionState state = assignments.get(p0);
        state.resumeAt = now.plusSeconds(5);
        backPressure.adjust(consumer, assignments.all(), 0, now);
        assertThat(consumer.paused()).containsExactly(p0);

        backPressure.adjust(consumer, assignments.all(), 0, now.plusSeconds(5));
        assertThat(consumer.paused()).isEmpty();
        assertThat(state.resumeAt).isNull();
    }
}
