package io.eventcore.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The partitions this consumer owns now, one {@link PartitionState} each. The poll thread changes
 * and reads the owned map; workers and {@code health()} see a concurrent copy of it. A state that
 * was revoked is no longer {@linkplain #isCurrent current}, so late results of its work are ignored.
 */
final class Assignments {
    private final Map<TopicPartition, PartitionState> owned = new HashMap<>();
    private final Map<TopicPartition, PartitionState> visible = new ConcurrentHashMap<>();

    /** Poll thread: a fresh state for a newly assigned partition. */
    PartitionState assign(TopicPartition tp) {
        PartitionState s = new PartitionState(tp);
        owned.put(tp, s);
        visible.put(tp, s);
        return s;
    }

    /** Poll thread: the state of an owned partition, or {@code null}. */
    PartitionState get(TopicPartition tp) {
        return owned.get(tp);
    }

    /** Any thread: the state of an owned partition as last published, or {@code null}. */
    PartitionState lookup(TopicPartition tp) {
        return visible.get(tp);
    }

    /** Poll thread: whether {@code state} is the one of a partition still owned. */
    boolean isCurrent(PartitionState state) {
        return state != null && owned.get(state.partition) == state;
    }

    /** Poll thread: the states of those of {@code partitions} that are owned. */
    List<PartitionState> owned(Collection<TopicPartition> partitions) {
        List<PartitionState> out = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionState s = owned.get(tp);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Poll thread: every owned state (a live view). */
    Collection<PartitionState> all() {
        return owned.values();
    }

    /** Poll thread: forgets a partition. */
    void remove(TopicPartition tp) {
        PartitionState s = owned.remove(tp);
        if (s != null) {
            visible.remove(tp, s);
        }
    }

    /**
     * Any thread: partitions whose lowest uncommitted offset has not moved for longer than
     * {@code thresholdNanos} while they have work in flight.
     */
    Set<TopicPartition> stalled(long thresholdNanos, long nowNanos) {
        Set<TopicPartition> out = new HashSet<>();
        for (PartitionState s : visible.values()) {
            if (s.stalled(thresholdNanos, nowNanos)) {
                out.add(s.partition);
            }
        }
        return out;
    }

    /** Any thread: the records that keep failing, e.g. {@code orders-0@5: 3 failed round(s), last: ...}. */
    List<String> failing() {
        List<String> out = new ArrayList<>();
        for (PartitionState s : visible.values()) {
            s.failing.forEach((offset, why) -> out.add(s.partition + "@" + offset + ": " + why));
        }
        return out;
    }
}
