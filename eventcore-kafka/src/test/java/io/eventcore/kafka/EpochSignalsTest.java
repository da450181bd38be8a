package io.eventcore.kafka;

import static io.eventcore.kafka.WorkFixture.greeting;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.transport.ConsumerMetrics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ownership epochs: what an ended assignment's work reports never touches a later assignment. */
class EpochSignalsTest {
    private final TopicPartition tp = new TopicPartition("orders", 0);
    private final WorkFixture f = new WorkFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private RecordLease lease(PartitionState state, long offset) {
        return new RecordLease(state, offset, f.signals, ConsumerMetrics.noop(), "g");
    }

    @Test
    void staleBlockedAndUnblockedSignals_ofARevokedEpoch_neitherPauseNorResumeTheNewAssignment() {
        PartitionState old = f.assignments.assign(tp);
        RecordLease oldLease = lease(old, 0);
        f.work.retire(old);
        f.assignments.remove(tp);
        PartitionState fresh = f.assignments.assign(tp);
        lease(fresh, 5).blocked(null); // the new assignment's own blocking record

        oldLease.blocked(null);
        oldLease.unblocked(null);
        oldLease.unblocked(null);
        f.work.applySignals();

        assertThat(fresh.blocked).as("only the new epoch's own record blocks it").isEqualTo(1);
        assertThat(oldLease.valid()).isFalse();
        assertThat(lease(fresh, 5).valid()).isTrue();
    }

    @Test
    void retire_releasesInFlightSlotsAtOnce_andLateResultsAreIgnored() {
        PartitionState old = f.assignments.assign(tp);
        f.work.submit(old, greeting("orders", 0, 0, "wait"), false);
        f.work.submit(old, greeting("orders", 0, 1, "queued"), false);
        assertThat(f.work.inFlight()).isEqualTo(2);

        f.work.retire(old);
        f.assignments.remove(tp);
        PartitionState fresh = f.assignments.assign(tp);
        f.work.submit(fresh, greeting("orders", 0, 0, "hi"), false);
        assertThat(f.work.inFlight()).as("the old epoch's slots are free").isEqualTo(1);

        f.release.countDown();
        f.work.drain(List.of(fresh), Duration.ofSeconds(10));
        f.work.drain(List.of(old), Duration.ofMillis(300));

        assertThat(f.work.inFlight()).as("late results of the old epoch release nothing twice").isZero();
        assertThat(old.tracker.committable()).as("old epoch completes nothing").isZero();
        assertThat(fresh.tracker.committable()).isEqualTo(1);
    }

    @Test
    void lostPartition_isRetired_itsSlotsReleased_andNothingCommitted() {
        RebalanceHandler handler = new RebalanceHandler(f.assignments, f.work,
                new CommitScheduler(new org.apache.kafka.clients.consumer.MockConsumer<>("earliest"), f.assignments,
                        Duration.ofHours(1), Duration.ofSeconds(1), "g", System::nanoTime),
                Duration.ofSeconds(1), "g");
        handler.onPartitionsAssigned(List.of(tp));
        PartitionState state = f.assignments.get(tp);
        f.work.submit(state, greeting("orders", 0, 0, "wait"), false);

        handler.onPartitionsLost(List.of(tp));

        assertThat(state.retired).isTrue();
        assertThat(f.work.inFlight()).isZero();
        assertThat(f.assignments.get(tp)).isNull();
        handler.onPartitionsAssigned(List.of(tp));
        assertThat(f.assignments.get(tp)).isNotSameAs(state);
    }

    @Test
    void stall_isMeasuredOnTheLowestUncommittedOffset_notOnAnyCompletion() {
        PartitionState s = new PartitionState(tp);
        s.track(0, 0);
        s.track(1, 0);
        s.track(2, 0);
        s.complete(1, 500);
        s.complete(2, 900);
        assertThat(s.stalled(1_000, 1_001)).as("offset 0 has not moved for 1001 ns").isTrue();
        s.complete(0, 1_100);
        assertThat(s.stalled(1_000, 1_200)).isFalse();
        s.track(3, 5_000);
        assertThat(s.stalled(1_000, 5_500)).as("an idle partition starts its clock when work arrives").isFalse();
    }
}
