package io.eventcore.outbox;

import io.eventcore.Clock;
import io.eventcore.MessageHeader;
import io.eventcore.internal.Checks;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes groups of outbox rows (one group per leased shard, or the unkeyed claim) in one round:
 * every message is sent first, then all are awaited, then each group gets its {@link OutboxCompletion}.
 *
 * <p>Per key, rows are settled in id order and settling stops at the first failure, so a later row
 * of the same key is never marked published ahead of an earlier one: it stays pending (and will be
 * sent again, a duplicate) behind the failed row. To keep that rare, a row whose send fails on the spot
 * (the publisher rejects it before it reaches the broker) holds its key's later rows back from the
 * round, and a row that failed before is sent alone for its key. With {@code oneInFlightPerKey}, every key
 * sends only its first row per round: no later row of a key is ever out before an earlier one is acknowledged.
 *
 * <p>A row whose message cannot be built (the topic naming throws or gives no topic) fails for good at
 * once: it dies, and the rest of its group is settled as usual. A failure the publisher calls transient
 * is not counted while nothing of the round gets through (an outage); when other rows of the round were
 * published, it is the row's own problem (a topic the producer may not write, say) and counts as an
 * attempt, so the row cannot block its key forever. An acknowledgement that does not come within the
 * send timeout is never counted: the row may well have been delivered.
 *
 * <p>While it awaits acknowledgements the round calls its keep-alive (the relay renews its leases
 * there) every {@code keepAliveEvery}, so a slow broker does not let the leases lapse.
 *
 * <p>Used by one thread at a time (the relay's pass).
 */
final class OutboxBatch {
    private final EventPublisher publisher;
    private final EventInstrumentation instrumentation;
    private final OutboxMessages messages;
    private final RetryPolicy retry;
    private final Duration sendTimeout;
    private final Clock clock;
    private final boolean oneInFlightPerKey;
    /** The shards' transactional streams, or {@code null} when the relay publishes without transactions. */
    private final ShardStreams streams;

    /** Topic of a dead row whose topic naming gave none, as handed to the dead-letter sink. */
    static final String UNROUTABLE_TOPIC = "eventcore-outbox-unroutable";

    /** A row moved to the dead table, the message it would have been, and why. */
    record DeadRow(OutboxRecord row, String topic, List<MessageHeader> headers, Throwable cause) {
    }

    /**
     * What became of one group: its completion, and the rows in it that died; {@code fenced} when the broker
     * fenced the group's transactional stream (another relay holds the shard now: nothing is to be settled).
     */
    record GroupOutcome(OutboxCompletion completion, List<DeadRow> dead, boolean fenced) {
        GroupOutcome(OutboxCompletion completion, List<DeadRow> dead) {
            this(completion, dead, false);
        }
    }

    /** The outcome of a round, by group. */
    record Round<K>(Map<K, GroupOutcome> outcomes, int sent, int published, boolean allTransientFailures,
            Throwable lastFailure) {

        /** @return rows of every group scheduled for a retry */
        int retries() {
            return outcomes.values().stream().mapToInt(o -> o.completion().retries().size()).sum();
        }
    }

    OutboxBatch(EventPublisher publisher, OutboxMessages messages, RetryPolicy retry, Duration sendTimeout,
            Clock clock, EventInstrumentation instrumentation, boolean oneInFlightPerKey, ShardStreams streams) {
        this.oneInFlightPerKey = oneInFlightPerKey;
        this.streams = streams;
        this.instrumentation = instrumentation;
        this.publisher = publisher;
        this.messages = messages;
        this.retry = retry;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    /** Sends every group, awaits, and settles, with no keep-alive. */
    <K> Round<K> publish(Map<K, List<OutboxRecord>> groups) {
        return publish(groups, () -> { }, sendTimeout);
    }

    /**
     * Sends every group, awaits (running {@code keepAlive} every {@code keepAliveEvery} meanwhile), and
     * settles.
     *
     * @param groups rows by group (a lease, or any marker for the unkeyed claim), each in id order
     * @param keepAlive run on this thread while awaiting acknowledgements; must not throw
     * @param keepAliveEvery how often
     * @return outcomes by group
     */
    <K> Round<K> publish(Map<K, List<OutboxRecord>> groups, Runnable keepAlive, Duration keepAliveEvery) {
        return publish(groups.entrySet().iterator(), keepAlive, keepAliveEvery);
    }

    /**
     * As {@link #publish(Map, Runnable, Duration)}, with groups drawn one at a time: each group is sent before
     * the next is drawn, so a source that reads groups from the store overlaps its reads with the broker's
     * sending of the groups before.
     */
    <K> Round<K> publish(Iterator<? extends Map.Entry<K, List<OutboxRecord>>> groups, Runnable keepAlive,
            Duration keepAliveEvery) {
        Pacer pacer = new Pacer(keepAlive, keepAliveEvery);
        return settle(send(groups, pacer), pacer);
    }

    /**
     * Sends every group (drawn one at a time: a source that reads groups from the store overlaps its reads with the
     * broker's sending of the groups before), awaits the acknowledgements, and starts the transactions' commits.
     */
    <K> SentRound<K> send(Iterator<? extends Map.Entry<K, List<OutboxRecord>>> groups, Pacer pacer) {
        Map<K, GroupSend> inFlight = new LinkedHashMap<>();
        int sent = 0;
        while (groups.hasNext()) {
            Map.Entry<K, List<OutboxRecord>> group = groups.next();
            GroupSend sends = sendGroup(group.getKey(), group.getValue(), pacer);
            inFlight.put(group.getKey(), sends);
            sent += sends.sends.size();
        }
        Map<GroupSend.Sent, Throwable> failures = awaitAll(inFlight, pacer, System.nanoTime() + sendTimeout.toNanos());
        for (GroupSend g : inFlight.values()) {
            g.end(failures);
        }
        boolean outage = !failures.isEmpty() && failures.size() == sent && failures.entrySet().stream()
                .allMatch(f -> !f.getKey().unsendable() && (f.getValue() instanceof AckTimeout
                        || f.getValue() instanceof InterruptedException || publisher.isTransient(f.getValue())));
        return new SentRound<>(inFlight, failures, sent, outage);
    }

    /** Awaits the round's commits (at most the send timeout) and settles every group. */
    <K> Round<K> settle(SentRound<K> round, Pacer pacer) {
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        for (GroupSend g : round.inFlight.values()) {
            g.awaitEnd(pacer, deadline, this::outcome, streams);
            g.closeIfAborted(streams);
        }
        // Whether the broker took any send of the round (committed or not): then a failure is the row's own.
        boolean anyAcked = round.inFlight.values().stream().flatMap(g -> g.sends.stream())
                .anyMatch(s -> !round.failures.containsKey(s));
        Tally tally = new Tally();
        Map<K, GroupOutcome> outcomes = new LinkedHashMap<>();
        for (Map.Entry<K, GroupSend> group : round.inFlight.entrySet()) {
            outcomes.put(group.getKey(), settleGroup(group.getValue(), round.failures, anyAcked, tally));
        }
        return new Round<>(outcomes, round.sent, tally.published, tally.allTransient(), tally.lastFailure);
    }

    /** Opens (or reuses) the shard's stream for the group; {@code false} when it cannot be used now. */
    private boolean open(GroupSend g, OutboxLease lease) {
        try {
            g.stream = streams.forLease(lease);
            g.state = GroupSend.TxState.OPEN;
            ShardStreams.prune(g.stream, g.rows);
            return true;
        } catch (io.eventcore.transport.TransactionFencedException e) {
            g.state = GroupSend.TxState.FENCED;
            g.txFailure = e;
        } catch (RuntimeException e) {
            g.state = GroupSend.TxState.UNOPENED; // the broker cannot be reached: every row waits, none is counted
            g.txFailure = e;
        }
        return false;
    }

    private GroupSend sendGroup(Object group, List<OutboxRecord> rows, Pacer pacer) {
        GroupSend g = new GroupSend();
        g.rows = rows;
        if (streams != null && group instanceof OutboxLease lease && !open(g, lease)) {
            return g;
        }
        Set<String> retryingKeys = new HashSet<>();
        Set<String> seenKeys = new HashSet<>();
        long positionChars = g.stream == null ? 0 : RelayPosition.encode(g.stream.fence, g.stream.unsettled).length();
        long previousId = 0;
        for (OutboxRecord row : rows) {
            if (g.stream != null && g.stream.published(row)) {
                g.known.add(row); // the broker has it from an earlier transaction: settle, do not send again
                continue;
            }
            String key = row.aggregateId();
            if (key != null) {
                // A row that failed before goes alone: its successors wait until it is through.
                if (retryingKeys.contains(key)) {
                    continue;
                }
                boolean first = seenKeys.add(key);
                if (!first && oneInFlightPerKey) {
                    continue; // stays pending: the key's next row goes once this one is acknowledged
                }
                if (first && row.attempts() > 0) {
                    retryingKeys.add(key);
                }
            }
            if (g.stream != null) {
                positionChars += RelayPosition.charsFor(row.id() - previousId);
                if (positionChars > streams.maxPositionLength()) {
                    break; // the position could not list it: this row and the rest of the group wait a pass
                }
                previousId = row.id();
            }
            pacer.tick(); // a send may block (a full producer buffer, missing metadata)
            GroupSend.Sent s = send(row, g);
            if (g.state == GroupSend.TxState.FENCED || g.state == GroupSend.TxState.UNOPENED) {
                return g;
            }
            if (key != null && s.result().isCompletedExceptionally()) {
                // Failed on the spot (too large, bad topic...): hold the key's later rows back.
                retryingKeys.add(key);
            }
            g.sends.add(s);
        }
        return g;
    }

    private <K> Map<GroupSend.Sent, Throwable> awaitAll(Map<K, GroupSend> inFlight, Pacer pacer, long deadline) {
        Map<GroupSend.Sent, Throwable> failures = new IdentityHashMap<>();
        for (GroupSend group : inFlight.values()) {
            for (GroupSend.Sent s : group.sends) {
                pacer.await(s.result(), deadline);
                Throwable failure = outcome(s.result());
                if (failure != null) {
                    failures.put(s, failure);
                }
            }
        }
        return failures;
    }

    private GroupOutcome settleGroup(GroupSend g, Map<GroupSend.Sent, Throwable> failures, boolean anyAcked,
            Tally tally) {
        OutboxCompletion.Builder completion = OutboxCompletion.builder();
        if (g.state == GroupSend.TxState.FENCED) {
            return new GroupOutcome(completion.build(), List.of(), true);
        }
        g.known.forEach(completion::published);
        if (g.state == GroupSend.TxState.UNOPENED || g.state == GroupSend.TxState.ABORTED && g.sends.stream().noneMatch(failures::containsKey)) {
            // The transaction could not begin or commit: nothing of it is visible, nothing is the rows' fault.
            if (!g.rows.isEmpty() && g.rows.size() > g.known.size()) {
                tally.failures++;
                tally.lastFailure = g.txFailure;
                if (g.txFailure instanceof AckTimeout || publisher.isTransient(g.txFailure) && !anyAcked) {
                    tally.transientFailures++;
                }
            }
            return new GroupOutcome(completion.build(), List.of());
        }
        boolean aborted = g.state == GroupSend.TxState.ABORTED;
        List<DeadRow> dead = new ArrayList<>();
        Set<String> blockedKeys = new HashSet<>();
        for (GroupSend.Sent s : g.sends) {
            Throwable failure = failures.get(s);
            String key = s.row().aggregateId();
            if (key != null && blockedKeys.contains(key)) {
                continue; // stays pending behind the failed row of its key
            }
            if (failure == null) {
                if (!aborted) {
                    completion.published(s.row());
                    tally.published++;
                }
                continue; // aborted: it was stored but will never be visible; it waits for the next pass
            }
            tally.failures++;
            tally.lastFailure = failure;
            if (key != null && !(aborted && failure instanceof io.eventcore.transport.SendAbortedException)) {
                // Not when refused only as the aborted transaction's collateral: the row that failed it is charged.
                blockedKeys.add(key);
            }
            if (s.unsendable()) {
                settleFailure(s.row(), failure, true, completion, dead);
            } else if (failure instanceof io.eventcore.transport.SendAbortedException
                    || failure instanceof InterruptedException
                    || failure instanceof AckTimeout && (!aborted || !anyAcked)
                    || publisher.isTransient(failure) && !anyAcked) {
                // Not the row's fault: it stays due, and is not counted against it: aborted with the row that failed,
                // or the broker took nothing of the round (an outage), or (without a transaction) a send whose
                // acknowledgement was late may have been delivered. In an aborted transaction a late or transient
                // failure while the broker took other sends is the row's own, as without transactions: counting it
                // lets the rest of its shard through while it waits for its retry.
                tally.transientFailures++;
            } else {
                settleFailure(s.row(), failure, false, completion, dead);
            }
        }
        return new GroupOutcome(completion.build(), List.copyOf(dead));
    }

    /** A failure of the row's own: retried with back-off, or dead once out of attempts or not retryable. */
    private void settleFailure(OutboxRecord row, Throwable failure, boolean permanent,
            OutboxCompletion.Builder completion, List<DeadRow> dead) {
        OutboxRecord failed = row.failed(1, describe(failure));
        Instant now = clock.now();
        if (permanent || failed.attempts() >= retry.maxAttempts() || !retry.isRetryable(failure)) {
            completion.dead(failed, now);
            dead.add(new DeadRow(failed, topicOrPlaceholder(row), messages.headers(row), failure));
        } else {
            Duration delay = retry.delayAfter(failed.attempts(), ThreadLocalRandom.current().nextDouble());
            completion.retry(failed, now.plus(delay));
        }
    }

    private String topicOrPlaceholder(OutboxRecord row) {
        try {
            return messages.topic(row);
        } catch (RuntimeException e) {
            return UNROUTABLE_TOPIC;
        }
    }

    /**
     * Builds and sends; never throws. A message that cannot be built is an unsendable row; anything the
     * publisher throws, an {@link Error} included, is a failure of this send.
     */
    private GroupSend.Sent send(OutboxRecord row, GroupSend group) {
        OutboundMessage message;
        try {
            message = messages.toMessage(row);
        } catch (RuntimeException e) {
            return new GroupSend.Sent(row, CompletableFuture.failedFuture(e), true);
        }
        Observed observed = instrumentation.relay(message.topic(), row.eventType(), row.headers());
        try {
            CompletableFuture<PublishReceipt> sent;
            if (group.stream == null) {
                sent = publisher.send(message).toCompletableFuture();
            } else {
                if (group.tx == null) {
                    group.tx = group.stream.stream.begin();
                }
                sent = group.tx.send(message).toCompletableFuture();
            }
            if (observed != Observed.NONE) {
                sent.whenComplete((receipt, failure) -> observed.stop(failure == null ? "published" : "failed", failure));
            }
            return new GroupSend.Sent(row, sent, false);
        } catch (io.eventcore.transport.TransactionFencedException e) {
            observed.stop("failed", e);
            group.state = GroupSend.TxState.FENCED;
            group.txFailure = e;
            return new GroupSend.Sent(row, CompletableFuture.failedFuture(e), false);
        } catch (RuntimeException | Error e) {
            // An Error too (a missing optional codec class, out of memory on a huge message): this send failed,
            // the relay carries on.
            observed.stop("failed", e);
            if (group.stream != null && group.tx == null) {
                // The transaction did not begin (the broker is out of reach, or the stream broke): every row waits,
                // and the stream is opened afresh next time, reading the position again.
                group.state = GroupSend.TxState.UNOPENED;
                group.txFailure = e;
                streams.close(group.stream.shard);
            }
            return new GroupSend.Sent(row, CompletableFuture.failedFuture(e), false);
        }
    }


    Throwable outcome(CompletableFuture<?> result) {
        if (!result.isDone()) {
            return Thread.currentThread().isInterrupted() ? new InterruptedException("relay interrupted")
                    : new AckTimeout(sendTimeout);
        }
        try {
            result.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            return e;
        }
    }

    static String describe(Throwable failure) {
        return Checks.capUtf8(failure.getClass().getName() + ": " + failure.getMessage(), 1000);
    }
}
