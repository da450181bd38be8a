package io.eventcore.kafka;

import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
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
 * due ({@link CommitScheduler}), polls, and hands the records to the partitions' work queues,
 * holding retry-topic records that are not yet due ({@link RetryTopicGate}). Rebalances arrive
 * through {@link RebalanceHandler} during {@code poll}. On stop it drains in-flight work, commits,
 * and closes the consumer.
 *
 * <p>This class wires those collaborators; {@link #stop()}, {@link #wakeup()}, {@link #fatal()}
 * and {@link #stalled()} may be called from any thread.
 */
final class PollLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final ConsumerSettings settings;
    private final Assignments assignments = new Assignments();
    private final RetryTopicGate gate;
    private final PartitionWork work;
    private final CommitScheduler commits;
    private final BackPressure backPressure;
    private final RebalanceHandler rebalance;
    private volatile boolean running = true;
    private volatile Throwable crashed;

    /**
     * @param consumer the consumer, owned (closed) by this loop
     * @param settings the consumer's settings
     * @param workers runs records, serially per ordering key
     * @param settlementFactory creates the settlement that reports blocked messages to the given listener
     */
    PollLoop(Consumer<byte[], byte[]> consumer, ConsumerSettings settings, KeyedSerialExecutor workers,
            Function<Settlement.BlockListener, Settlement> settlementFactory) {
        this.consumer = consumer;
        this.settings = settings;
        this.gate = new RetryTopicGate(settings);
        WorkSignals signals = new WorkSignals();
        Settlement settlement = settlementFactory.apply(signals.blockListener(assignments));
        this.work = new PartitionWork(assignments, signals, workers, settlement, settings.ordering(),
                settings.groupId());
        this.commits = new CommitScheduler(consumer, assignments, settings.commitInterval(), settings.drainTimeout(),
                settings.groupId(), System::nanoTime);
        this.backPressure = new BackPressure(settings.maxInFlight(), settings.maxInFlightPerPartition());
        this.rebalance = new RebalanceHandler(assignments, work, commits, settings.drainTimeout(), settings.groupId());
    }

    @Override
    public void run() {
        try {
            subscribe();
            while (running && fatal() == null) {
                work.applySignals();
                backPressure.adjust(consumer, assignments.all(), work.inFlight(), Instant.now());
                commits.maybeCommit();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                for (TopicPartition tp : records.partitions()) {
                    dispatch(tp, records.records(tp));
                }
            }
        } catch (WakeupException e) {
            // stop() and wakeup() ended the poll; fall through to the orderly shutdown.
        } catch (RuntimeException e) {
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
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Instant due = retryTopic ? gate.holdUntil(record, Instant.now()) : null;
            if (due != null) {
                // Not yet due: rewind and pause this partition until then. Nothing sleeps.
                consumer.seek(tp, record.offset());
                state.resumeAt = due;
                consumer.pause(List.of(tp));
                return;
            }
            work.submit(state, record, retryTopic);
        }
    }

    private void shutdown() {
        try {
            if (fatal() == null) {
                work.drain(new ArrayList<>(assignments.all()), settings.drainTimeout());
            } else {
                work.applySignals();
            }
            commits.commitSync(assignments.all());
        } catch (RuntimeException e) {
            log.warn("consumer {} could not commit on close: {}", settings.groupId(), e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(settings.drainTimeout()));
        }
    }

    /** Asks the loop to finish its turn, drain, commit and close; pair with {@link #wakeup()}. */
    void stop() {
        running = false;
    }

    /** Interrupts a blocking {@code poll} so that a {@link #stop()} takes effect at once. */
    void wakeup() {
        consumer.wakeup();
    }

    /** @return the error that stopped the loop (a handler's JVM error, or the loop's own failure), or {@code null} */
    Throwable fatal() {
        Throwable f = work.fatal();
        return f != null ? f : crashed;
    }

    /** @return partitions with work in flight that has not progressed for longer than the stall timeout */
    Set<TopicPartition> stalled() {
        return assignments.stalled(settings.stallTimeout().toNanos(), System.nanoTime());
    }
}
