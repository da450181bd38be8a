package io.eventcore.kafka;

import static io.eventcore.kafka.WorkFixture.greeting;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PartitionWorkTest {
    private final TopicPartition tp = new TopicPartition("orders", 0);
    private final WorkFixture f = new WorkFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void completedWork_completesItsOffsets_andReleasesInFlight() {
        PartitionState state = f.assignments.assign(tp);
        f.work.submit(state, greeting("orders", 0, 0, "hi"), false);
        f.work.submit(state, greeting("orders", 0, 1, "hi"), false);
        assertThat(f.work.inFlight()).isEqualTo(2);

        f.work.drain(List.of(state), Duration.ofSeconds(10));

        assertThat(state.inFlight).isZero();
        assertThat(f.work.inFlight()).isZero();
        assertThat(state.tracker.committable()).as("both done: next to consume is 2").isEqualTo(2);
    }

    @Test
    void workOfARevokedPartition_releasesInFlight_butCompletesNothing() {
        PartitionState old = f.assignments.assign(tp);
        f.work.submit(old, greeting("orders", 0, 0, "wait"), false);
        f.assignments.remove(tp);
        PartitionState fresh = f.assignments.assign(tp);

        f.release.countDown();
        f.work.drain(List.of(old), Duration.ofSeconds(10));

        assertThat(old.inFlight).isZero();
        assertThat(f.work.inFlight()).isZero();
        assertThat(old.tracker.committable()).as("the revoked state's offset stays unfinished").isZero();
        assertThat(fresh.tracker.committable()).as("the new assignment saw nothing").isEqualTo(-1);
    }

    @Test
    void handlerJvmError_isReportedAsFatal_andItsOffsetIsNotCompleted() {
        PartitionState state = f.assignments.assign(tp);
        f.work.submit(state, greeting("orders", 0, 0, "boom"), false);

        f.work.drain(List.of(state), Duration.ofSeconds(10));

        assertThat(f.work.fatal()).isInstanceOf(AssertionError.class).hasMessage("simulated JVM error");
        assertThat(state.tracker.committable()).isZero();
    }
}
