package io.eventcore.kafka;

import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resources of one {@link KafkaEventConsumer}: the Kafka consumer, the retry-topic producer,
 * the worker pool (unless the user gave an executor), the back-off timer, and the poll loop on
 * its own thread. Creates them, starts the poll thread once, closes them in order (any number of
 * times), and reports health. Lifecycle methods are thread-safe.
 */
final class ConsumerRuntime {
    private static final Logger log = LoggerFactory.getLogger(ConsumerRuntime.class);

    private final ConsumerSettings settings;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> retryProducer;
    private final ExecutorService ownedExecutor;
    private final WorkerThreads workers;
    private final ScheduledExecutorService timer;
    private final PollLoop loop;
    private final Thread pollThread;
    private final ConsumerTransactions transactions;
    private volatile boolean started;
    private volatile boolean closing;
    private volatile boolean terminated;

    /**
     * @param executor runs handlers; {@code null} for an own pool of {@code maxConcurrency} threads
     * @param consumerProps the consumer's complete properties
     * @param producerProps the retry-topic producer's complete properties
     * @param metrics receives lag, back-pressure and failure measurements
     */
    ConsumerRuntime(ConsumerSettings settings, EventRouter router, Executor executor,
            Map<String, Object> consumerProps, Map<String, Object> producerProps, ConsumerMetrics metrics) {
        this(settings, router, executor,
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                retryProducer(settings, producerProps), metrics);
    }

    /** @return the retry-topic producer, {@code null} when no route redelivers (no retry topic: nothing to write) */
    private static Producer<byte[], byte[]> retryProducer(ConsumerSettings settings, Map<String, Object> props) {
        return settings.retryTopics().isEmpty() ? null
                : new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Exactly-once mode: the outputs that join the consumer's transactions, and how to make its transactional
     * producer.
     */
    record ExactlyOnce(List<KafkaOutput> outputs, java.util.function.Supplier<Producer<byte[], byte[]>> producers) {
    }

    /** As the first constructor, in exactly-once mode when {@code exactlyOnce} is not {@code null}. */
    ConsumerRuntime(ConsumerSettings settings, EventRouter router, Executor executor,
            Map<String, Object> consumerProps, Map<String, Object> producerProps, ConsumerMetrics metrics,
            ExactlyOnce exactlyOnce) {
        this(settings, router, executor,
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                retryProducer(settings, producerProps), metrics,
                exactlyOnce);
    }

    /** With given clients (tests pass mock ones); owns and closes them. */
    ConsumerRuntime(ConsumerSettings settings, EventRouter router, Executor executor,
            Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> retryProducer, ConsumerMetrics metrics) {
        this(settings, router, executor, consumer, retryProducer, metrics, null);
    }

    /** With given clients, in exactly-once mode when {@code exactlyOnce} is not {@code null}. */
    ConsumerRuntime(ConsumerSettings settings, EventRouter router, Executor executor,
            Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> retryProducer, ConsumerMetrics metrics,
            ExactlyOnce exactlyOnce) {
        this.settings = settings;
        String group = settings.groupId();
        this.consumer = consumer;
        this.retryProducer = retryProducer;
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            ownedExecutor = Executors.newFixedThreadPool(settings.maxConcurrency(),
                    r -> daemon(r, "eventcore-kafka-worker-" + group + "-" + n.incrementAndGet()));
        } else {
            ownedExecutor = executor instanceof VirtualWorkers own ? own : null; // the builder's, owned here
        }
        this.workers = new WorkerThreads(executor != null ? executor : ownedExecutor);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "eventcore-kafka-timer-" + group));
        RetryTopicRedeliverer redeliverer = new RetryTopicRedeliverer(retryProducer, settings.retryTopics());
        // Ownership is each record's lease (its partition's epoch); "running" only guards against
        // anything outliving the poll thread.
        Settlement settlement = new Settlement(router, timer, workers, () -> !terminated, redeliverer,
                settings.failedBackoff(), settings.maxFailedBackoff());
        this.loop = new PollLoop(consumer, settings, new KeyedSerialExecutor(workers), settlement, metrics);
        loop.batching(router.batching());
        if (exactlyOnce != null) {
            this.transactions = new ConsumerTransactions(exactlyOnce.producers(), loop::groupMetadata,
                    exactlyOnce.outputs(), group);
            loop.transactions(transactions);
            redeliverer.transactions(transactions);
        } else {
            this.transactions = null;
        }
        this.pollThread = new Thread(loop, "eventcore-kafka-poll-" + group);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** @throws IllegalStateException if already started or closed */
    synchronized void start() {
        if (started || closing) {
            throw new IllegalStateException("consumer for group " + settings.groupId() + " was already "
                    + (closing ? "closed" : "started"));
        }
        started = true;
        pollThread.start();
    }

    /**
     * Within {@code timeout} in total: stops polling, drains in-flight work once (for at most the
     * drain timeout), commits, closes the consumer and waits for the poll thread; then interrupts
     * work still running (it is neither committed nor dead-lettered), stops the timer and the own
     * pool and closes the retry producer. Later calls return at once; a concurrent call waits for
     * the first.
     *
     * @param timeout the bound of the whole close
     */
    synchronized void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        if (started) {
            loop.stop(deadline);
            loop.wakeup();
            joinPollThread(deadline);
        } else {
            loop.stop(deadline);
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        terminated = true;
        int interrupted = workers.interruptRunning();
        if (interrupted > 0) {
            log.warn("consumer {} closed with {} handler(s) still running; interrupted, their records stay "
                    + "uncommitted", settings.groupId(), interrupted);
        }
        timer.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        if (retryProducer != null) {
            retryProducer.close(remaining(deadline));
        }
        if (transactions != null) {
            transactions.close();
        }
    }

    private void joinPollThread(long deadline) {
        try {
            pollThread.join(Math.max(1, remaining(deadline).toMillis()));
            if (pollThread.isAlive()) {
                log.warn("consumer {} poll thread still running at the close bound; interrupting it", settings.groupId());
                pollThread.interrupt();
                pollThread.join(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /**
     * @return {@code DOWN} with the cause after a fatal error, {@code STOPPED} when not running,
     *     {@code DISCONNECTED} when no broker has been reachable for {@link BrokerLink#UNREACHABLE_AFTER},
     *     {@code STALLED} naming the partitions whose lowest uncommitted offset has not moved for
     *     the stall timeout, else {@code UP}; the detail names records that keep failing and why
     */
    ConsumerHealth health() {
        Throwable fatal = loop.fatal();
        if (fatal != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DOWN, "stopped by a fatal error: " + fatal);
        }
        if (!started || closing || !pollThread.isAlive()) {
            return new ConsumerHealth(ConsumerHealth.Status.STOPPED, "not running");
        }
        List<String> failing = loop.failing();
        String blocked = failing.isEmpty() ? "" : "; blocked: " + String.join("; ", failing);
        String unreachable = loop.brokersUnreachable();
        if (unreachable != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DISCONNECTED, unreachable + blocked);
        }
        if (transactions != null && transactions.failingSince() != 0
                && System.nanoTime() - transactions.failingSince() > settings.stallTimeout().toNanos()) {
            return new ConsumerHealth(ConsumerHealth.Status.STALLED, "no transaction committed for "
                    + settings.stallTimeout() + ": " + transactions.lastFailure() + blocked);
        }
        Set<TopicPartition> stalled = loop.stalled();
        if (!stalled.isEmpty()) {
            return new ConsumerHealth(ConsumerHealth.Status.STALLED,
                    "no progress for " + settings.stallTimeout() + " on " + stalled + blocked);
        }
        return new ConsumerHealth(ConsumerHealth.Status.UP, "consuming" + blocked);
    }
}
