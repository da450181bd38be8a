package io.eventcore.kafka;

import io.eventcore.InboundMessage;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.internal.Settlement;

/**
 * The lease of one record on its partition's ownership epoch: valid until the epoch is retired;
 * its blocked/unblocked signals carry that epoch, so they can never pause or resume a later
 * assignment of the partition. Records why the record keeps failing, for {@code health()}.
 * Thread-safe.
 */
final class RecordLease implements Settlement.Lease {
    private final PartitionState state;
    private final long offset;
    private final WorkSignals signals;
    private final ConsumerMetrics metrics;
    private final String group;

    RecordLease(PartitionState state, long offset, WorkSignals signals, ConsumerMetrics metrics, String group) {
        this.state = state;
        this.offset = offset;
        this.signals = signals;
        this.metrics = metrics;
        this.group = group;
    }

    @Override
    public boolean valid() {
        return !state.retired;
    }

    @Override
    public void blocked(InboundMessage message) {
        signals.post(new WorkSignals.Signal(state, offset, WorkSignals.Kind.BLOCKED, null));
    }

    @Override
    public void unblocked(InboundMessage message) {
        state.failing.remove(offset);
        signals.post(new WorkSignals.Signal(state, offset, WorkSignals.Kind.UNBLOCKED, null));
    }

    @Override
    public void failing(InboundMessage message, Throwable cause, int failures) {
        if (!state.retired) {
            state.failing.put(offset, failures + " failed round(s), last: " + cause);
        }
        metrics.recordFailed(group, state.partition.topic(), state.partition.partition(),
                cause.getClass().getSimpleName());
    }
}
