package io.eventcore.kafka;

import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.internal.KeyedSerialExecutor;
import io.eventcore.transport.internal.Settlement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The resources of one {@link KafkaEventConsumer}: the Kafka consumer, the retry-topic producer,
 * the worker pool (unless the user gave an executor), the back-off timer, and the poll loop on
 * its own thread. Creates them, starts the poll thread once, closes them in order (any number of
 * times), and reports health. Lifecycle methods are thread-safe.
 */
final class ConsumerRuntime {
    private final ConsumerSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> retryProducer;
    private final ExecutorService ownedExecutor;
    private final ScheduledExecutorService timer;
    private final PollLoop loop;
    private final Thread pollThread;
    private volatile boolean started;
    private volatile boolean closing;

    /**
     * @param executor runs handlers; {@code null} for an own pool of {@code maxConcurrency} threads
     * @param consumerProps the consumer's complete properties
     * @param producerProps the retry-topic producer's complete properties
     */
    ConsumerRuntime(ConsumerSettings settings, EventRouter router, Executor executor,
            Map<String, Object> consumerProps, Map<String, Object> producerProps) {
        this.settings = settings;
        String group = settings.groupId();
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.retryProducer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            ownedExecutor = Executors.newFixedThreadPool(settings.maxConcurrency(),
                    r -> daemon(r, "eventcore-kafka-worker-" + group + "-" + n.incrementAndGet()));
        } else {
            ownedExecutor = null;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "eventcore-kafka-timer-" + group));
        RetryTopicRedeliverer redeliverer = new RetryTopicRedeliverer(retryProducer, settings.retryTopics());
        this.loop = new PollLoop(consumer, settings, new KeyedSerialExecutor(executor != null ? executor : ownedExecutor),
                blocks -> new Settlement(router, timer, () -> !closing, redeliverer, blocks, settings.failedBackoff(),
                        settings.maxFailedBackoff()));
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
     * Stops the loop (it drains and commits within the drain timeout), waits for it, then stops
     * the timer and the own pool and closes the retry producer. Later calls return at once.
     *
     * @param timeout how long to wait for the poll thread beyond the drain timeout
     */
    synchronized void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (closing) {
            return;
        }
        closing = true;
        loop.stop();
        if (started) {
            loop.wakeup();
            try {
                pollThread.join(timeout.plus(settings.drainTimeout()).toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        timer.shutdownNow();
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
            try {
                ownedExecutor.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        retryProducer.close(Duration.ofSeconds(5));
    }

    /**
     * @return {@code DOWN} after a fatal error, {@code STOPPED} when not running, {@code STALLED}
     *     naming the partitions without progress for the stall timeout, else {@code UP}
     */
    ConsumerHealth health() {
        Throwable fatal = loop.fatal();
        if (fatal != null) {
            return new ConsumerHealth(ConsumerHealth.Status.DOWN, "stopped by a fatal error: " + fatal);
        }
        if (!started || closing || !pollThread.isAlive()) {
            return new ConsumerHealth(ConsumerHealth.Status.STOPPED, "not running");
        }
        Set<TopicPartition> stalled = loop.stalled();
        if (!stalled.isEmpty()) {
            return new ConsumerHealth(ConsumerHealth.Status.STALLED,
                    "no progress for " + settings.stallTimeout() + " on " + stalled);
        }
        return new ConsumerHealth(ConsumerHealth.Status.UP, "consuming");
    }
}
