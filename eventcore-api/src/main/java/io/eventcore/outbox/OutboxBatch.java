package io.eventcore.outbox;

import io.eventcore.transport.TopicNaming;
import io.eventcore.internal.Checks;
import io.eventcore.transport.TopicNaming;
import io.eventcore.Clock;
import io.eventcore.transport.TopicNaming;
import io.eventcore.EventHeaders;
import io.eventcore.transport.TopicNaming;
import io.eventcore.EventcoreException;
import io.eventcore.transport.TopicNaming;
import io.eventcore.MessageHeader;
import io.eventcore.transport.TopicNaming;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.transport.TopicNaming;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.TopicNaming;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.TopicNaming;
import io.eventcore.transport.PublishReceipt;

import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import io.eventcore.transport.TopicNaming;
import java.time.Instant;
import io.eventcore.transport.TopicNaming;
import java.time.format.DateTimeFormatter;
import io.eventcore.transport.TopicNaming;
import java.util.ArrayList;
import io.eventcore.transport.TopicNaming;
import java.util.HashMap;
import io.eventcore.transport.TopicNaming;
import java.util.HashSet;
import io.eventcore.transport.TopicNaming;
import java.util.LinkedHashMap;
import io.eventcore.transport.TopicNaming;
import java.util.List;
import io.eventcore.transport.TopicNaming;
import java.util.Locale;
import io.eventcore.transport.TopicNaming;
import java.util.Map;
import io.eventcore.transport.TopicNaming;
import java.util.Set;
import io.eventcore.transport.TopicNaming;
import java.util.concurrent.CompletableFuture;
import io.eventcore.transport.TopicNaming;
import java.util.concurrent.ThreadLocalRandom;
import io.eventcore.transport.TopicNaming;
import java.util.concurrent.TimeUnit;
import io.eventcore.transport.TopicNaming;
import java.util.function.Function;

/**
 * Publishes groups of outbox rows (one group per leased shard, or the unkeyed claim) in one round:
 * every message is sent first, then all are awaited, then each group gets its {@link OutboxCompletion}.
 *
 * <p>Per key, rows are settled in id order and settling stops at the first failure, so a later row
 * of the same key is never marked published ahead of an earlier one: it stays pending (and will be
 * sent again, a duplicate) behind the failed row. To keep that rare, a row whose send fails on the spot
 * (the publisher rejects it before it reaches the broker) holds its key's later rows back from the
 * round, and a row that failed before is sent alone for its key.
 */
final class OutboxBatch {
    private final EventPublisher publisher;
    private final TopicNaming topicNaming;
    private final RetryPolicy retry;
    private final Duration sendTimeout;
    private final Clock clock;

    /** Rows in flight of one round. */
    record Sent(OutboxRecord row, CompletableFuture<PublishReceipt> result) {
    }

    /** The outcome of a round. */
    record Round(Map<Object, OutboxCompletion> completions, List<Failure> dead, int sent, int published,
            boolean allTransientFailures, Throwable lastFailure) {
    }

    /** A row moved to the dead table, and why. */
    record Failure(OutboxRecord row, String topic, List<MessageHeader> headers, Throwable cause) {
    }

    OutboxBatch(EventPublisher publisher, TopicNaming topicNaming, RetryPolicy retry,
            Duration sendTimeout, Clock clock) {
        this.publisher = publisher;
        this.topicNaming = topicNaming;
        this.retry = retry;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    /**
     * Sends every group, awaits, and settles.
     *
     * @param groups rows by group (a lease, or any marker for the unkeyed claim), each in id order
     * @return completions by group, plus the rows that died
     */
    Round publish(Map<Object, List<OutboxRecord>> groups) {
        Map<Object, List<Sent>> inFlight = new LinkedHashMap<>();
        int sent = 0;
        for (Map.Entry<Object, List<OutboxRecord>> group : groups.entrySet()) {
            List<Sent> sends = new ArrayList<>(group.getValue().size());
            Set<String> retryingKeys = new HashSet<>();
            Set<String> seenKeys = new HashSet<>();
            for (OutboxRecord row : group.getValue()) {
                String key = row.aggregateId();
                if (key != null) {
                    // A row that failed before goes alone: its successors wait until it is through.
                    if (retryingKeys.contains(key)) {
                        continue;
                    }
                    boolean first = seenKeys.add(key);
                    if (first && row.attempts() > 0) {
                        retryingKeys.add(key);
                    }
                }
                CompletableFuture<PublishReceipt> result = send(row);
                if (key != null && result.isCompletedExceptionally()) {
                    // Failed on the spot (too large, bad topic...): hold the key's later rows back.
                    retryingKeys.add(key);
                }
                sends.add(new Sent(row, result));
                sent++;
            }
            inFlight.put(group.getKey(), sends);
        }
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        Map<Object, OutboxCompletion> completions = new LinkedHashMap<>();
        List<Failure> dead = new ArrayList<>();
        int published = 0;
        int failures = 0;
        int transientFailures = 0;
        Throwable lastFailure = null;
        for (Map.Entry<Object, List<Sent>> group : inFlight.entrySet()) {
            OutboxCompletion completion = new OutboxCompletion();
            Set<String> blockedKeys = new HashSet<>();
            for (Sent s : group.getValue()) {
                Throwable failure = await(s.result(), deadline);
                String key = s.row().aggregateId();
                if (key != null && blockedKeys.contains(key)) {
                    continue; // stays pending behind the failed row of its key
                }
                if (failure == null) {
                    completion.published(s.row());
                    published++;
                    continue;
                }
                failures++;
                lastFailure = failure;
                if (key != null) {
                    blockedKeys.add(key);
                }
                if (publisher.isTransient(failure)) {
                    transientFailures++;
                    continue; // not the row's fault: it stays due, and is not counted against it
                }
                OutboxRecord failed = s.row().failed(1, describe(failure));
                Instant now = clock.now();
                if (failed.attempts() >= retry.maxAttempts() || !retry.isRetryable(failure)) {
                    completion.dead(failed, now);
                    OutboundMessage message = toMessage(s.row());
                    dead.add(new Failure(failed, message.topic(), message.headers(), failure));
                } else {
                    Duration delay = retry.delayAfter(failed.attempts(), ThreadLocalRandom.current().nextDouble());
                    completion.retry(failed, now.plus(delay));
                }
            }
            completions.put(group.getKey(), completion);
        }
        boolean outage = failures > 0 && transientFailures == failures && published == 0;
        return new Round(completions, dead, sent, published, outage, lastFailure);
    }

    private CompletableFuture<PublishReceipt> send(OutboxRecord row) {
        try {
            return publisher.send(toMessage(row)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable await(CompletableFuture<PublishReceipt> result, long deadlineNanos) {
        try {
            result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (java.util.concurrent.TimeoutException e) {
            return new EventcoreException("publish not acknowledged within the relay's sendTimeout", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** The message for a row: the default headers, then the row's own, key = aggregate id. */
    OutboundMessage toMessage(OutboxRecord row) {
        String topic = row.topic() != null ? row.topic() : topicNaming.topicFor(row.eventType(), row.aggregateType(), row.aggregateId());
        List<MessageHeader> headers = new ArrayList<>(row.headers().size() + 5);
        headers.add(MessageHeader.of(EventHeaders.EVENT_TYPE, row.eventType()));
        headers.add(MessageHeader.of(EventHeaders.EVENT_ID, row.eventId()));
        headers.add(MessageHeader.of(EventHeaders.PRODUCED_AT, DateTimeFormatter.ISO_INSTANT.format(row.createdAt())));
        headers.add(MessageHeader.of(EventHeaders.AGGREGATE_TYPE, row.aggregateType()));
        if (row.aggregateId() != null) {
            headers.add(MessageHeader.of(EventHeaders.AGGREGATE_ID, row.aggregateId()));
        }
        Map<String, String> standard = new HashMap<>();
        for (MessageHeader h : headers) {
            standard.put(h.key(), h.valueAsString());
        }
        for (Map.Entry<String, String> h : row.headers().entrySet()) {
            if (!standard.containsKey(h.getKey())) {
                headers.add(MessageHeader.of(h.getKey(), h.getValue()));
            }
        }
        return new OutboundMessage(topic, row.aggregateId(), row.payload(), headers);
    }

    static String describe(Throwable failure) {
        return Checks.capUtf8(failure.getClass().getName() + ": " + failure.getMessage(), 1000);
    }
}
