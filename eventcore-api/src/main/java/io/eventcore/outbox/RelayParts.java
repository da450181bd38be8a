package io.eventcore.outbox;

import io.eventcore.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collaborators of one {@link OutboxPublisher}, wired from its settings: leases, statistics, the pass (with
 * the shards' transactional streams when the publisher offers transactions) and the relay thread's loop; and the
 * lifecycle steps that span them.
 */
final class RelayParts {
    private static final Logger log = LoggerFactory.getLogger(RelayParts.class);

    final String relayId;
    final ShardLeases leases;
    final RelayStats stats;
    final RelayPass pass;
    final RelayLoop loop;
    final boolean transactional;
    private final OutboxLeases store;

    RelayParts(RelaySettings s) {
        this.relayId = s.relayIdOrRandom();
        this.store = s.store;
        Clock clock = s.clock();
        OutboxMetrics metrics = new SafeMetrics(s.metrics());
        this.stats = new RelayStats(clock, metrics);
        this.leases = new ShardLeases(s.store, s.store.shardCount(), relayId, s.leaseTtl(), metrics);
        ShardStreams streams = s.transactions().map(t -> new ShardStreams(t, s.outboxName())).orElse(null);
        this.transactional = streams != null;
        OutboxBatch batch = new OutboxBatch(s.publisher, new OutboxMessages(s.topicNaming()), s.retry(),
                s.sendTimeout(), clock, s.instrumentation(), s.oneInFlightPerKey(), streams);
        Housekeeping housekeeping = new Housekeeping(s.store, s.deadRetention(), s.publishedRetention, s.purgeBatch(),
                metrics);
        this.pass = new RelayPass(s.store, leases, batch, stats, new DeadRowHandOff(s.deadLetter, clock),
                housekeeping, s.batchSize(), clock, streams);
        RelayHints hints = new RelayHints(s.store.hints(), s.hintOthers(), leases, s.minPoll(), clock);
        this.loop = new RelayLoop(relayId, pass, stats, hints, s.minPoll(), s.maxPoll());
        loop.listenForAppends(s.store);
    }

    /** Drains on the caller's thread; a relay not started gives its leases back and unregisters after. */
    int publishPending() {
        return pass.exclusively(() -> {
            try {
                return pass.drain();
            } finally {
                if (!loop.running()) {
                    leases.forgetAll();
                    leave("after its pass");
                }
            }
        });
    }

    /** Stops the thread, finishes the last settlement, closes the streams, releases the leases. */
    void close(Duration timeout) {
        loop.stop(timeout);
        pass.exclusively(() -> {
            pass.quiesce();
            return leave("");
        });
    }

    private Void leave(String when) {
        try {
            store.leave(relayId);
        } catch (RuntimeException e) {
            log.warn("relay {} could not unregister{}; its leases expire on their own", relayId,
                    when.isEmpty() ? "" : " " + when, e);
        }
        return null;
    }
}
