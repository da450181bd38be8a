package io.eventcore.examples.faults;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.awaitility.Awaitility;

/**
 * An application that publishes steps straight to Kafka with {@link KafkaEventPublisher#publish} and
 * retries what failed, as a careful application would: chunks of {@link FaultKit#KEYS} consecutive steps
 * (one per key), every failed step of a chunk sent again before the next chunk, so per-key order holds
 * even across failures. Records which ids were acknowledged and every failure. Thread-safe to read while
 * one thread publishes.
 */
final class AppPublisher implements AutoCloseable {
    private final KafkaEventPublisher publisher;
    private final Duration deadline;
    /** Ids whose publish completed successfully. */
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    /** Failed sends (each try counts). */
    final AtomicInteger failures = new AtomicInteger();
    /** Failures that {@link KafkaEventPublisher#isTransient} called permanent. */
    final List<String> permanent = new CopyOnWriteArrayList<>();

    AppPublisher(String bootstrap, String topic, Map<String, ?> properties, Duration deadline) {
        this.publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(topic).properties(properties)
                .build();
        this.deadline = deadline;
    }

    /**
     * Publishes every step, chunk by chunk.
     *
     * @param pauseMillis pause between chunks, so that the stream lasts while faults are injected
     * @param mayPublish whether the chunk starting at that index may go now (polled until it may)
     */
    void publish(List<Step> steps, long pauseMillis, IntPredicate mayPublish) {
        for (int i = 0; i < steps.size(); i += FaultKit.KEYS) {
            int from = i;
            if (!mayPublish.test(from)) {
                Awaitility.await("chunk at " + from + " may be published").atMost(deadline)
                        .pollInterval(Duration.ofMillis(20)).until(() -> mayPublish.test(from));
            }
            List<Step> pending = steps.subList(i, Math.min(steps.size(), i + FaultKit.KEYS));
            while (!pending.isEmpty()) {
                pending = sendAll(pending);
                if (!pending.isEmpty()) {
                    pause(200); // the application's back-off before it sends the failed ones again
                }
            }
            pause(pauseMillis);
        }
    }

    /** @return the steps that failed */
    private List<Step> sendAll(List<Step> steps) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (Step s : steps) {
            sent.add(publisher.publish(Event.of(s.key(), s)).toCompletableFuture());
        }
        List<Step> failed = new ArrayList<>();
        for (int j = 0; j < steps.size(); j++) {
            try {
                sent.get(j).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
                acked.add(steps.get(j).id());
            } catch (ExecutionException e) {
                failures.incrementAndGet();
                if (!publisher.isTransient(e.getCause())) {
                    permanent.add(steps.get(j).id() + ": " + e.getCause());
                }
                failed.add(steps.get(j));
            } catch (TimeoutException e) {
                throw new IllegalStateException("publish of " + steps.get(j).id() + " never completed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return failed;
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}
