package io.eventcore.kafka;

import static io.eventcore.kafka.WorkFixture.greeting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RebalanceHandlerTest {
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    private final TopicPartition p1 = new TopicPartition("orders", 1);
    private final WorkFixture f = new WorkFixture();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final CommitScheduler commits = new CommitScheduler(consumer, f.assignments, Duration.ofHours(1),
            Duration.ofSeconds(5), "g", System::nanoTime);
    private final RebalanceHandler handler = new RebalanceHandler(f.assignments, f.work, commits,
            Duration.ofSeconds(10), "g");

    RebalanceHandlerTest() {
        consumer.assign(List.of(p0, p1));
    }

    @AfterEach
    void close() {
        f.close();
    }

    private Long committed(TopicPartition tp) {
        OffsetAndMetadata om = consumer.committed(Set.of(tp)).get(tp);
        return om == null ? null : om.offset();
    }

    @Test
    void revokedPartition_isDrainedCommittedAndForgotten_othersStay() {
        handler.onPartitionsAssigned(List.of(p0, p1));
        PartitionState state = f.assignments.get(p0);
        f.work.submit(state, greeting("orders", 0, 0, "hi"), false);
        f.work.submit(state, greeting("orders", 0, 1, "wait"), false);
        f.release.countDown();

        handler.onPartitionsRevoked(List.of(p0));

        assertThat(committed(p0)).as("in-flight work drained, then committed").isEqualTo(2L);
        assertThat(f.assignments.get(p0)).isNull();
        assertThat(f.assignments.get(p1)).isNotNull();
    }

    @Test
    void revokeWithWorkStillRunning_commitsOnlyTheFinishedPrefix_afterTheDrainTimeout() {
        RebalanceHandler impatient = new RebalanceHandler(f.assignments, f.work, commits, Duration.ofMillis(50), "g");
        impatient.onPartitionsAssigned(List.of(p0));
        PartitionState state = f.assignments.get(p0);
        f.work.submit(state, greeting("orders", 0, 0, "hi"), false);
        f.work.drain(List.of(state), Duration.ofSeconds(10));
        f.work.submit(state, greeting("orders", 0, 1, "wait"), false);

        impatient.onPartitionsRevoked(List.of(p0));

        assertThat(committed(p0)).as("offset 1 still runs: only offset 0 is committed").isEqualTo(1L);
        assertThat(f.assignments.get(p0)).isNull();
    }

    @Test
    void lostPartition_isForgottenWithoutCommitting() {
        handler.onPartitionsAssigned(List.of(p0));
        PartitionState state = f.assignments.get(p0);
        f.work.submit(state, greeting("orders", 0, 0, "hi"), false);
        f.work.drain(List.of(state), Duration.ofSeconds(10));

        handler.onPartitionsLost(List.of(p0));

        assertThat(f.assignments.get(p0)).isNull();
        assertThat(committed(p0)).isNull();
    }
}
