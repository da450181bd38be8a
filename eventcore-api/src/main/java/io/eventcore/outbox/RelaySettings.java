package io.eventcore.outbox;

import io.eventcore.Clock;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.internal.Checks;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.UUID;

/**
 * What an {@link OutboxPublisher.Builder} collected: {@code null} means "not set", and each getter resolves
 * it to the default (the public {@code DEFAULT_*} constants of {@link OutboxPublisher}). Values were
 * validated by the builder's setters; {@link #check()} validates their combination. No combination of
 * {@code leaseTtl} and {@code sendTimeout} is rejected: leases are renewed while a batch awaits its
 * acknowledgements, so a send timeout longer than the lease is safe. Not thread-safe.
 */
final class RelaySettings {
    OutboxStore store;
    EventPublisher publisher;
    String relayId;
    Integer batchSize;
    Duration leaseTtl;
    Duration minPoll;
    Duration maxPoll;
    Duration sendTimeout;
    Duration deadRetention;
    Duration publishedRetention;
    Integer purgeBatch;
    RetryPolicy retry;
    TopicNaming topicNaming;
    Clock clock;
    OutboxMetrics metrics;
    EventInstrumentation instrumentation;
    DeadLetterSink deadLetter;
    Boolean hintOthers;
    Boolean oneInFlightPerKey;
    Boolean transactional;
    String outboxName;

    /** @throws IllegalStateException naming the setting that is missing, or the two that conflict */
    void check() {
        if (store == null) {
            throw new IllegalStateException("store must be set");
        }
        if (publisher == null) {
            throw new IllegalStateException("publisher must be set");
        }
        if (Boolean.TRUE.equals(transactional) && publisher.transactions().isEmpty()) {
            throw new IllegalStateException("transactional is true, but the publisher " + publisher
                    + " offers no transactions (EventPublisher.transactions() is empty)");
        }
        if (minPoll().compareTo(maxPoll()) > 0) {
            throw new IllegalStateException("minPollInterval (" + minPoll() + ") must not exceed maxPollInterval ("
                    + maxPoll() + ")");
        }
    }

    /** @return the transport's transactions, when the relay uses them (by default whenever there are some) */
    java.util.Optional<io.eventcore.transport.Transactions> transactions() {
        return Boolean.FALSE.equals(transactional) ? java.util.Optional.empty() : publisher.transactions();
    }

    String outboxName() {
        return or(outboxName, store.name());
    }

    boolean oneInFlightPerKey() {
        return Boolean.TRUE.equals(oneInFlightPerKey);
    }

    /** @throws IllegalArgumentException if the relay id is blank or longer than the maximum */
    static String checkedRelayId(String id) {
        Checks.notBlank("relayId", id);
        if (id.length() > OutboxPublisher.MAX_RELAY_ID_LENGTH) {
            throw new IllegalArgumentException("relayId must be at most " + OutboxPublisher.MAX_RELAY_ID_LENGTH
                    + " characters, but was " + id.length());
        }
        return id;
    }

    /** @return the relay id, or a new random one */
    String relayIdOrRandom() {
        return relayId != null ? relayId : "relay-" + UUID.randomUUID();
    }

    int batchSize() {
        return or(batchSize, OutboxPublisher.DEFAULT_BATCH_SIZE);
    }

    Duration leaseTtl() {
        return or(leaseTtl, OutboxPublisher.DEFAULT_LEASE_TTL);
    }

    Duration minPoll() {
        return or(minPoll, OutboxPublisher.DEFAULT_MIN_POLL_INTERVAL);
    }

    Duration maxPoll() {
        return or(maxPoll, OutboxPublisher.DEFAULT_MAX_POLL_INTERVAL);
    }

    Duration sendTimeout() {
        return or(sendTimeout, OutboxPublisher.DEFAULT_SEND_TIMEOUT);
    }

    Duration deadRetention() {
        return or(deadRetention, OutboxPublisher.DEFAULT_DEAD_RETENTION);
    }

    int purgeBatch() {
        return or(purgeBatch, OutboxPublisher.DEFAULT_PURGE_BATCH);
    }

    RetryPolicy retry() {
        return or(retry, OutboxPublisher.DEFAULT_RETRY);
    }

    TopicNaming topicNaming() {
        return or(topicNaming, OutboxPublisher.DEFAULT_TOPIC_NAMING);
    }

    Clock clock() {
        return or(clock, Clock.system());
    }

    OutboxMetrics metrics() {
        return or(metrics, OutboxMetrics.noop());
    }

    EventInstrumentation instrumentation() {
        return EventInstrumentation.safe(or(instrumentation, EventInstrumentation.noop()));
    }

    boolean hintOthers() {
        return or(hintOthers, OutboxPublisher.DEFAULT_HINT_OTHERS);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
