package io.eventcore.outbox;

import java.util.Map;

/**
 * A round sent and acknowledged (or failed), its transactions committing: {@link OutboxBatch#settle settle} it, on any thread, to
 * learn what became of each group.
 */
final class SentRound<K> {
    final Map<K, GroupSend> inFlight;
    final Map<GroupSend.Sent, Throwable> failures;
    final int sent;
    private final boolean outage;

    SentRound(Map<K, GroupSend> inFlight, Map<GroupSend.Sent, Throwable> failures, int sent,
            boolean outage) {
        this.inFlight = inFlight;
        this.failures = failures;
        this.sent = sent;
        this.outage = outage;
    }

    /** @return the groups of the round */
    java.util.Set<K> groups() {
        return inFlight.keySet();
    }

    /** @return whether sends failed, all transiently, and the broker took none: an outage, as the sends tell */
    boolean outage() {
        return outage;
    }
}
