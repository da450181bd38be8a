package io.eventcore.outbox;

import io.eventcore.Clock;
import io.eventcore.EventcoreException;
import io.eventcore.MessageHeader;
import io.eventcore.internal.Checks;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * round, and a row that failed before is sent alone for its key.
 *
 * <p>Used by one thread at a time (the relay's pass).
 */
final class OutboxBatch {
    private final EventPublisher publisher;
    private final OutboxMessages messages;
    private final RetryPolicy retry;
    private final Duration sendTimeout;
    private final Clock clock;

    /** A row in flight. */
    private record Sent(OutboxRecord row, CompletableFuture<PublishReceipt> result) {
    }

    /** A row moved to the dead table, the message it would have been, and why. */
    record DeadRow(OutboxRecord row, String topic, List<MessageHeader> headers, Throwable cause) {
    }

    /** What became of one group: its completion, and the rows in it that died. */
    record GroupOutcome(OutboxCompletion completion, List<DeadRow> dead) {
    }

    /** The outcome of a round, by group. */
    record Round<K>(Map<K, GroupOutcome> outcomes, int sent, int published, boolean allTransientFailures,
            Throwable lastFailure) {

        /** @return rows of every group scheduled for a retry */
        int retries() {
            return outcomes.values().stream().mapToInt(o -> o.completion().retries().size()).sum();
        }
    }

    /** Counts of one round's settlement. */
    private static final class Tally {
        int published;
        int failures;
        int transientFailures;
        Throwable lastFailure;

        boolean allTransient() {
            return failures > 0 && transientFailures == failures && published == 0;
        }
    }

    OutboxBatch(EventPublisher publisher, OutboxMessages messages, RetryPolicy retry, Duration sendTimeout,
            Clock clock) {
        this.publisher = publisher;
        this.messages = messages;
        this.retry = retry;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    /**
     * Sends every group, awaits, and settles.
     *
     * @param groups rows by group (a lease, or any marker for the unkeyed claim), each in id order
     * @return outcomes by group
     */
    <K> Round<K> publish(Map<K, List<OutboxRecord>> groups) {
        Map<K, List<Sent>> inFlight = new LinkedHashMap<>();
        int sent = 0;
        for (Map.Entry<K, List<OutboxRecord>> group : groups.entrySet()) {
            List<Sent> sends = sendGroup(group.getValue());
            inFlight.put(group.getKey(), sends);
            sent += sends.size();
        }
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        Tally tally = new Tally();
        Map<K, GroupOutcome> outcomes = new LinkedHashMap<>();
        for (Map.Entry<K, List<Sent>> group : inFlight.entrySet()) {
            outcomes.put(group.getKey(), settleGroup(group.getValue(), deadline, tally));
        }
        return new Round<>(outcomes, sent, tally.published, tally.allTransient(), tally.lastFailure);
    }

    private List<Sent> sendGroup(List<OutboxRecord> rows) {
        List<Sent> sends = new ArrayList<>(rows.size());
        Set<String> retryingKeys = new HashSet<>();
        Set<String> seenKeys = new HashSet<>();
        for (OutboxRecord row : rows) {
            String key = row.aggregateId();
            if (key != null) {
                // A row that failed before goes alone: its successors wait until it is through.
                if (retryingKeys.contains(key)) {
                    continue;
                }
                if (seenKeys.add(key) && row.attempts() > 0) {
                    retryingKeys.add(key);
                }
            }
            CompletableFuture<PublishReceipt> result = send(row);
            if (key != null && result.isCompletedExceptionally()) {
                // Failed on the spot (too large, bad topic...): hold the key's later rows back.
                retryingKeys.add(key);
            }
            sends.add(new Sent(row, result));
        }
        return sends;
    }

    private GroupOutcome settleGroup(List<Sent> sends, long deadline, Tally tally) {
        OutboxCompletion.Builder completion = OutboxCompletion.builder();
        List<DeadRow> dead = new ArrayList<>();
        Set<String> blockedKeys = new HashSet<>();
        for (Sent s : sends) {
            Throwable failure = await(s.result(), deadline);
            String key = s.row().aggregateId();
            if (key != null && blockedKeys.contains(key)) {
                continue; // stays pending behind the failed row of its key
            }
            if (failure == null) {
                completion.published(s.row());
                tally.published++;
                continue;
            }
            tally.failures++;
            tally.lastFailure = failure;
            if (key != null) {
                blockedKeys.add(key);
            }
            if (publisher.isTransient(failure)) {
                tally.transientFailures++;
                continue; // not the row's fault: it stays due, and is not counted against it
            }
            settleFailure(s.row(), failure, completion, dead);
        }
        return new GroupOutcome(completion.build(), List.copyOf(dead));
    }

    /** A failure of the row's own: retried with back-off, or dead once out of attempts or not retryable. */
    private void settleFailure(OutboxRecord row, Throwable failure, OutboxCompletion.Builder completion,
            List<DeadRow> dead) {
        OutboxRecord failed = row.failed(1, describe(failure));
        Instant now = clock.now();
        if (failed.attempts() >= retry.maxAttempts() || !retry.isRetryable(failure)) {
            completion.dead(failed, now);
            OutboundMessage message = messages.toMessage(row);
            dead.add(new DeadRow(failed, message.topic(), message.headers(), failure));
        } else {
            Duration delay = retry.delayAfter(failed.attempts(), ThreadLocalRandom.current().nextDouble());
            completion.retry(failed, now.plus(delay));
        }
    }

    private CompletableFuture<PublishReceipt> send(OutboxRecord row) {
        try {
            return publisher.send(messages.toMessage(row)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable await(CompletableFuture<PublishReceipt> result, long deadlineNanos) {
        try {
            result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (TimeoutException e) {
            return new EventcoreException("publish not acknowledged within the relay's sendTimeout", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    static String describe(Throwable failure) {
        return Checks.capUtf8(failure.getClass().getName() + ": " + failure.getMessage(), 1000);
    }
}
