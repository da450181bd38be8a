package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.transport.Ordering;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread's work: the only code that touches the {@link Consumer}. It polls, hands records
 * to workers, applies their completions (posted to a queue), pauses and resumes partitions for
 * back-pressure, blocked messages and due times, commits contiguous offsets, and handles
 * rebalances.
 */
final class PollLoop implements Runnable, ConsumerRebalanceListener {
    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    /** Posted by workers; applied on the poll thread. */
    private record Signal(PartitionState state, long offset, Kind kind, Throwable error) {
    }

    private enum Kind { DONE, ABANDONED, FATAL, BLOCKED, UNBLOCKED }

    private final Consumer<byte[], byte[]> consumer;
    private final KafkaEventConsumer.Settings settings;
    private final KeyedSerialExecutor workers;
    private final Settlement settlement;
    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private final Map<TopicPartition, PartitionState> published = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Signal> signals = new ConcurrentLinkedQueue<>();
    private final Object signalled = new Object();
    private int inFlight;
    private long lastCommitNanos = System.nanoTime();
    volatile boolean running = true;
    volatile Throwable fatal;

    PollLoop(Consumer<byte[], byte[]> consumer, KafkaEventConsumer.Settings settings, KeyedSerialExecutor workers,
            java.util.function.Function<Settlement.BlockListener, Settlement> settlementFactory) {
        this.consumer = consumer;
        this.settings = settings;
        this.workers = workers;
        this.settlement = settlementFactory.apply(new Settlement.BlockListener() {
            @Override
            public void blocked(InboundMessage m) {
                post(new Signal(published.get(new TopicPartition(m.topic(), m.partition())), m.offset(), Kind.BLOCKED,
                        null));
            }

            @Override
            public void unblocked(InboundMessage m) {
                post(new Signal(published.get(new TopicPartition(m.topic(), m.partition())), m.offset(),
                        Kind.UNBLOCKED, null));
            }
        });
    }

    @Override
    public void run() {
        try {
            subscribe();
            while (running && fatal == null) {
                applySignals();
                adjustPauses();
                maybeCommit(false);
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                for (TopicPartition tp : records.partitions()) {
                    dispatch(tp, records.records(tp));
                }
            }
        } catch (WakeupException e) {
            // close() woke us up; fall through to the orderly shutdown.
        } catch (RuntimeException e) {
            fatal = e;
            log.error("consumer {} poll loop failed", settings.groupId(), e);
        } finally {
            shutdown();
        }
    }

    private void subscribe() {
        if (settings.pattern() != null) {
            consumer.subscribe(settings.pattern(), this);
        } else {
            consumer.subscribe(settings.subscribedTopics(), this);
        }
    }

    private void dispatch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        PartitionState state = states.get(tp);
        if (state == null) {
            return;
        }
        boolean retryTopic = settings.isRetryTopic(tp.topic());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (retryTopic) {
                Instant due = dueAt(record);
                if (due != null && due.isAfter(Instant.now())) {
                    // Not yet due: rewind and pause this partition until then. Nothing sleeps.
                    consumer.seek(tp, record.offset());
                    state.resumeAt = due;
                    consumer.pause(List.of(tp));
                    return;
                }
            }
            state.tracker.track(record.offset());
            state.inFlight++;
            inFlight++;
            Object key = orderingKey(record, retryTopic);
            workers.submit(key, () -> settlement.process(KafkaEventConsumer.toMessage(record, settings.groupId())))
                    .whenComplete((v, t) -> post(completion(state, record.offset(), t)));
        }
    }

    private Object orderingKey(ConsumerRecord<byte[], byte[]> record, boolean retryTopic) {
        if (retryTopic) {
            return null;
        }
        Ordering ordering = settings.ordering();
        if (ordering == Ordering.PARTITION) {
            return new TopicPartition(record.topic(), record.partition());
        }
        if (ordering == Ordering.KEY && record.key() != null) {
            return ByteBuffer.wrap(record.key());
        }
        return null;
    }

    private static Signal completion(PartitionState state, long offset, Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t == null) {
            return new Signal(state, offset, Kind.DONE, null);
        }
        if (t instanceof Settlement.FatalDispatchException) {
            return new Signal(state, offset, Kind.FATAL, t.getCause());
        }
        return new Signal(state, offset, Kind.ABANDONED, t);
    }

    private static Instant dueAt(ConsumerRecord<byte[], byte[]> record) {
        Header h = record.headers().lastHeader(EventHeaders.DUE_AT);
        if (h == null || h.value() == null) {
            return null;
        }
        try {
            return Instant.parse(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void post(Signal signal) {
        signals.add(signal);
        synchronized (signalled) {
            signalled.notifyAll();
        }
    }

    private void applySignals() {
        Signal s;
        while ((s = signals.poll()) != null) {
            PartitionState state = s.state();
            boolean current = state != null && states.get(state.partition) == state;
            switch (s.kind()) {
                case DONE -> {
                    if (state != null) {
                        state.inFlight--;
                        inFlight--;
                        if (current) {
                            state.tracker.complete(s.offset());
                            state.lastProgressNanos = System.nanoTime();
                        }
                    }
                }
                case ABANDONED -> {
                    if (state != null) {
                        state.inFlight--;
                        inFlight--;
                    }
                }
                case FATAL -> {
                    fatal = s.error() != null ? s.error() : new IllegalStateException("fatal dispatch");
                    log.error("consumer {} stops: a handler threw a fatal error at {}-{}", settings.groupId(),
                            state == null ? "?" : state.partition, s.offset(), fatal);
                }
                case BLOCKED -> {
                    if (current) {
                        state.blocked++;
                    }
                }
                case UNBLOCKED -> {
                    if (current && state.blocked > 0) {
                        state.blocked--;
                    }
                }
                default -> throw new IllegalStateException(s.kind().toString());
            }
        }
    }

    private void adjustPauses() {
        Instant now = Instant.now();
        boolean global = inFlight >= settings.maxInFlight();
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> toPause = new ArrayList<>();
        List<TopicPartition> toResume = new ArrayList<>();
        for (PartitionState state : states.values()) {
            boolean pause = state.shouldPause(settings.maxInFlightPerPartition(), global, now);
            if (!pause && state.resumeAt != null) {
                state.resumeAt = null;
            }
            if (pause && !paused.contains(state.partition)) {
                toPause.add(state.partition);
            } else if (!pause && paused.contains(state.partition)) {
                toResume.add(state.partition);
            }
        }
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
    }

    private void maybeCommit(boolean sync) {
        if (!sync && System.nanoTime() - lastCommitNanos < settings.commitInterval().toNanos()) {
            return;
        }
        lastCommitNanos = System.nanoTime();
        commit(states.values(), sync);
    }

    private void commit(Collection<PartitionState> which, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState state : which) {
            long next = state.advancedCommit();
            if (next >= 0) {
                offsets.put(state.partition, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            try {
                try {
                    consumer.commitSync(offsets, settings.drainTimeout());
                } catch (WakeupException e) {
                    // close() may wake the consumer after the loop left poll(); the wake-up is spent
                    // on this call, so the commit itself can go through now.
                    consumer.commitSync(offsets, settings.drainTimeout());
                }
                offsets.forEach((tp, om) -> markCommitted(tp, om.offset()));
            } catch (RuntimeException e) {
                log.warn("consumer {} could not commit {}: {}", settings.groupId(), offsets, e.toString());
            }
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    log.warn("consumer {} async commit failed (will retry): {}", settings.groupId(), error.toString());
                } else {
                    done.forEach((tp, om) -> markCommitted(tp, om.offset()));
                }
            });
        }
    }

    private void markCommitted(TopicPartition tp, long offset) {
        PartitionState state = states.get(tp);
        if (state != null && offset > state.committed) {
            state.committed = offset;
        }
    }

    /** Waits, on the poll thread, until the given partitions have no work in flight or the timeout passes. */
    private void drain(Collection<PartitionState> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (which.stream().anyMatch(s -> s.inFlight > 0) && System.nanoTime() < deadline && fatal == null) {
            synchronized (signalled) {
                if (signals.isEmpty()) {
                    try {
                        signalled.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            applySignals();
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<PartitionState> revoked = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionState s = states.get(tp);
            if (s != null) {
                revoked.add(s);
            }
        }
        drain(revoked, settings.drainTimeout());
        commit(revoked, true);
        for (PartitionState s : revoked) {
            states.remove(s.partition);
            published.remove(s.partition, s);
            if (s.inFlight > 0) {
                log.warn("consumer {} lost {} with {} message(s) still in flight; their results are discarded and "
                        + "the new owner will redeliver them", settings.groupId(), s.partition, s.inFlight);
            }
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState s = states.remove(tp);
            if (s != null) {
                published.remove(tp, s);
            }
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState s = new PartitionState(tp);
            states.put(tp, s);
            published.put(tp, s);
        }
    }

    private void shutdown() {
        try {
            if (fatal == null) {
                drain(new ArrayList<>(states.values()), settings.drainTimeout());
            } else {
                applySignals();
            }
            commit(states.values(), true);
        } catch (RuntimeException e) {
            log.warn("consumer {} could not commit on close: {}", settings.groupId(), e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(settings.drainTimeout()));
        }
    }

    /** Partitions with work in flight that has not progressed for longer than the stall threshold. */
    Set<TopicPartition> stalled() {
        Set<TopicPartition> out = new HashSet<>();
        long threshold = settings.stallTimeout().toNanos();
        for (PartitionState s : published.values()) {
            if (s.tracker.inFlight() > 0 && System.nanoTime() - s.lastProgressNanos > threshold) {
                out.add(s.partition);
            }
        }
        return out;
    }

    void wakeup() {
        consumer.wakeup();
    }
}
