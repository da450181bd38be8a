package io.eventcore.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the group's assignment. On assignment: a fresh {@link PartitionState} per partition. On
 * revocation: drain the partitions' in-flight work within the drain timeout, commit them
 * synchronously, then forget them (work still running is discarded: the new owner redelivers
 * it). On loss: forget them without committing. Kafka calls it on the poll thread, from
 * {@code poll}.
 */
final class RebalanceHandler implements ConsumerRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(RebalanceHandler.class);

    private final Assignments assignments;
    private final PartitionWork work;
    private final CommitScheduler commits;
    private final Duration drainTimeout;
    private final String groupId;

    RebalanceHandler(Assignments assignments, PartitionWork work, CommitScheduler commits, Duration drainTimeout,
            String groupId) {
        this.assignments = assignments;
        this.work = work;
        this.commits = commits;
        this.drainTimeout = drainTimeout;
        this.groupId = groupId;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<PartitionState> revoked = assignments.owned(partitions);
        if (revoked.isEmpty()) {
            return;
        }
        work.drain(revoked, System.nanoTime() + drainTimeout.toNanos());
        commits.commitSync(revoked);
        for (PartitionState s : revoked) {
            if (s.inFlight > 0) {
                log.warn("consumer {} lost {} with {} message(s) still in flight; they are abandoned (queued ones never "
                        + "start) and the new owner will redeliver them", groupId, s.partition, s.inFlight);
            }
            end(s);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        for (PartitionState s : assignments.owned(partitions)) {
            end(s);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState previous = assignments.get(tp);
            if (previous != null) {
                end(previous);
            }
            assignments.assign(tp);
        }
    }

    private void end(PartitionState s) {
        work.retire(s);
        assignments.remove(s.partition);
    }
}
