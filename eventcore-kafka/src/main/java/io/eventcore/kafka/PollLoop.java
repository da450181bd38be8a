package io.eventcore.kafka;

import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread: the only thread that touches the {@link Consumer}. Each turn it applies what
 * workers reported ({@link PartitionWork}), adjusts pauses ({@link BackPressure}), commits when
 * due ({@link CommitScheduler}), reports gauges ({@link ConsumerGauges}), polls, and hands the
 * records to the partitions' work queues, holding retry-topic records that are not yet due
 * ({@link RetryTopicGate}). Rebalances arrive through {@link RebalanceHandler} during {@code poll}.
 *
 * <p>On stop it drains in-flight work once, until the stop deadline less a reserve for the
 * commit and the consumer's close; commits; retires every epoch (work still running or queued is
 * abandoned: never committed); and closes the consumer within what is left of the bound (its
 * own revocation then finds nothing to drain).
 *
 * <p>This class wires those collaborators; {@link #stop()}, {@link #wakeup()}, {@link #fatal()},
 * {@link #stalled()} and {@link #failing()} may be called from any thread.
 */
final class PollLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final long MAX_CLOSE_RESERVE_NANOS = Duration.ofSeconds(2).toNanos();

    private final Consumer<byte[], byte[]> consumer;
    private final ConsumerSettings settings;
    private final Assignments assignments = new Assignments();
    private boolean batching;
    private final RetryTopicGate gate;
    private final PartitionWork work;
    private final CommitScheduler commits;
    private final BackPressure backPressure;
    private final RebalanceHandler rebalance;
    private final ConsumerGauges gauges;
    private final BrokerLink brokers = new BrokerLink();
    private volatile boolean running = true;
    private volatile long stopDeadlineNanos;
    private volatile Throwable crashed;
    private ConsumerTransactions transactions;

    /**
     * @param consumer the consumer, owned (closed) by this loop
     * @param settings the consumer's settings
     * @param workers runs records, serially per ordering key
     * @param settlement settles each record's dispatch
     */
    PollLoop(Consumer<byte[], byte[]> consumer, ConsumerSettings settings, KeyedSerialExecutor workers,
            Settlement settlement) {
        this(consumer, settings, workers, settlement, ConsumerMetrics.noop());
    }

    /** As above, reporting lag, back-pressure and failures to {@code metrics}. */
    PollLoop(Consumer<byte[], byte[]> consumer, ConsumerSettings settings, KeyedSerialExecutor workers,
            Settlement settlement, ConsumerMetrics metrics) {
        this.consumer = consumer;
        this.settings = settings;
        ConsumerMetrics safe = new SafeConsumerMetrics(metrics);
        this.gate = new RetryTopicGate(settings);
        this.work = new PartitionWork(assignments, new WorkSignals(), workers, settlement, settings.ordering(),
                settings.groupId(), safe);
        this.commits = new CommitScheduler(consumer, assignments, settings.commitInterval(), settings.drainTimeout(),
                settings.groupId(), System::nanoTime);
        this.backPressure = new BackPressure(settings.maxInFlight(), settings.maxInFlightPerPartition());
        this.rebalance = new RebalanceHandler(assignments, work, commits, settings.drainTimeout(), settings.groupId());
        this.gauges = new ConsumerGauges(safe, settings.groupId(), settings.commitInterval(), System::nanoTime);
    }

    /** Batch routes: each poll's records of a partition go to workers in groups, one per ordering key. */
    void batching(boolean on) {
        this.batching = on;
    }

    /** Exactly-once mode: records' output is held and committed with their offsets in one transaction. */
    void transactions(ConsumerTransactions tx) {
        this.transactions = tx;
        work.transactions(tx);
        commits.transactions(tx);
    }

    /** @return why no broker is reachable, {@code null} while one is; any thread */
    String brokersUnreachable() {
        return brokers.unreachable();
    }

    /** Records completed whose output waits for a commit: they count against back-pressure like work in flight. */
    private int held() {
        return transactions == null ? 0 : transactions.held();
    }

    /** @return the consumer's group metadata; poll thread only */
    org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata() {
        return consumer.groupMetadata();
    }

    @Override
    public void run() {
        try {
            subscribe();
            while (running && fatal() == null) {
                work.applySignals();
                backPressure.adjust(consumer, assignments.all(), work.inFlight() + held(), Instant.now());
                commits.maybeCommit();
                gauges.report(consumer, assignments.all(), work.inFlight());
                brokers.sample(consumer::metrics);
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                for (TopicPartition tp : records.partitions()) {
                    dispatch(tp, records.records(tp));
                }
            }
        } catch (WakeupException e) {
            // stop() and wakeup() ended the poll; fall through to the orderly shutdown.
        } catch (Throwable e) {
            // Anything, an Error included, stops the consumer visibly: health() reports DOWN.
            crashed = e;
            log.error("consumer {} poll loop failed", settings.groupId(), e);
        } finally {
            shutdown();
        }
    }

    private void subscribe() {
        if (settings.pattern() != null) {
            consumer.subscribe(settings.pattern(), rebalance);
        } else {
            consumer.subscribe(gate.subscription(settings.topics()), rebalance);
        }
    }

    private void dispatch(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
        PartitionState state = assignments.get(tp);
        if (state == null) {
            return;
        }
        boolean retryTopic = gate.isRetryTopic(tp.topic());
        // Exactly-once: one record per call, so that what a call sends commits with exactly its record's offset.
        List<ConsumerRecord<byte[], byte[]>> group = batching && !retryTopic && transactions == null
                ? new ArrayList<>(records.size()) : null;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Instant due = retryTopic ? gate.holdUntil(record, Instant.now()) : null;
            if (due != null) {
                // Not yet due: rewind and pause this partition until then. Nothing sleeps.
                consumer.seek(tp, record.offset());
                state.resumeAt = due;
                consumer.pause(List.of(tp));
                return;
            }
            if (record.offset() < state.tracker.nextUnseen()) {
                if (group != null && !group.isEmpty()) {
                    work.submitGroups(state, group);
                    group.clear();
                }
                state = restartEpoch(state, record.offset());
            }
            if (group != null) {
                group.add(record);
            } else {
                work.submit(state, record, retryTopic);
            }
        }
        if (group != null && !group.isEmpty()) {
            work.submitGroups(state, group);
        }
    }

    /**
     * The position moved back (log truncation, an out-of-range reset, a seek): the offsets tracked
     * so far no longer describe the log. End the epoch (its work is abandoned, its results ignored)
     * and start a new one at the record, so the partition keeps consuming instead of going DOWN.
     */
    private PartitionState restartEpoch(PartitionState old, long offset) {
        log.warn("consumer {}: position of {} moved back from {} to {} (log truncation or offset reset); "
                + "restarting the partition there", settings.groupId(), old.partition, old.tracker.nextUnseen(), offset);
        work.retire(old);
        assignments.remove(old.partition);
        return assignments.assign(old.partition);
    }

    private void shutdown() {
        long deadline = stopDeadlineNanos != 0 ? stopDeadlineNanos : System.nanoTime() + settings.drainTimeout().toNanos();
        List<PartitionState> all = new ArrayList<>(assignments.all());
        try {
            if (fatal() == null) {
                long now = System.nanoTime();
                long reserve = Math.min(MAX_CLOSE_RESERVE_NANOS, Math.max(0, deadline - now) / 2);
                work.drain(all, Math.min(deadline - reserve, now + settings.drainTimeout().toNanos()));
            } else {
                work.applySignals();
            }
            commits.commitSync(all, remaining(deadline));
        } catch (RuntimeException e) {
            log.warn("consumer {} could not commit on close: {}", settings.groupId(), e.toString());
        } finally {
            for (PartitionState s : all) {
                work.retire(s);
                assignments.remove(s.partition);
            }
            try {
                consumer.close(CloseOptions.timeout(remaining(deadline)));
            } catch (RuntimeException e) {
                log.warn("consumer {} did not close cleanly: {}", settings.groupId(), e.toString());
            }
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** Asks the loop to finish its turn, drain, commit and close within the drain timeout; pair with {@link #wakeup()}. */
    void stop() {
        stop(System.nanoTime() + settings.drainTimeout().toNanos() + MAX_CLOSE_RESERVE_NANOS);
    }

    /**
     * Asks the loop to finish its turn, drain, commit and close by {@code deadlineNanos}; pair with
     * {@link #wakeup()}.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value
     */
    void stop(long deadlineNanos) {
        stopDeadlineNanos = deadlineNanos;
        running = false;
    }

    /** Interrupts a blocking {@code poll} so that a {@link #stop()} takes effect at once. */
    void wakeup() {
        consumer.wakeup();
    }

    /** @return the error that stopped the loop (a JVM error on a record's path, or the loop's own failure), or {@code null} */
    Throwable fatal() {
        Throwable f = work.fatal();
        return f != null ? f : crashed;
    }

    /** @return partitions whose lowest uncommitted offset has not moved for longer than the stall timeout */
    Set<TopicPartition> stalled() {
        return assignments.stalled(settings.stallTimeout().toNanos(), System.nanoTime());
    }

    /** @return records that keep failing and block their partition, with why */
    List<String> failing() {
        return assignments.failing();
    }
}
