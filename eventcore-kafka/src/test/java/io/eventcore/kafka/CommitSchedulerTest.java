package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitSchedulerTest {
    private final TopicPartition tp = new TopicPartition("orders", 0);
    private final AtomicLong nanos = new AtomicLong();
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final Assignments assignments = new Assignments();
    private final CommitScheduler commits = new CommitScheduler(consumer, assignments, Duration.ofSeconds(1),
            Duration.ofSeconds(1), "g", nanos::get);
    private PartitionState state;

    @BeforeEach
    void assign() {
        consumer.assign(List.of(tp));
        state = assignments.assign(tp);
    }

    private Long committed() {
        OffsetAndMetadata om = consumer.committed(Set.of(tp)).get(tp);
        return om == null ? null : om.offset();
    }

    @Test
    void maybeCommit_beforeTheInterval_commitsNothing_andAfterIt_commitsTheContiguousPrefix() {
        state.tracker.track(0);
        state.tracker.track(1);
        state.tracker.track(2);
        state.tracker.complete(0);
        state.tracker.complete(2);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        commits.maybeCommit();
        assertThat(committed()).isNull();

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        commits.maybeCommit();
        assertThat(committed()).as("offset 1 is unfinished, so 1 is the next to consume").isEqualTo(1L);
        assertThat(state.committed).isEqualTo(1L);
    }

    @Test
    void commit_sendsOnlyPartitionsThatAdvanced() {
        state.tracker.track(0);
        state.tracker.complete(0);
        commits.commitSync(assignments.all());
        assertThat(committed()).isEqualTo(1L);

        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
        commits.commitSync(assignments.all());
        assertThat(committed()).as("nothing advanced since offset 1 was committed, so nothing is sent").isEqualTo(0L);
    }

    @Test
    void commitOfAPartitionWithNothingTracked_sendsNothing() {
        commits.commitAsync(assignments.all());
        commits.commitSync(assignments.all());
        assertThat(committed()).isNull();
    }
}
