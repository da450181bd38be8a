package io.eventcore.benchmarks;

import io.eventcore.codec.EventCodec;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaEventConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * (a) Framework overhead: an eventcore consumer in PARTITION mode with a no-op handler against a
 * hand-written kafka-clients loop that decodes the same events and commits after every poll.
 */
final class OverheadWorkload {
    private final String bootstrap;
    private final int events;

    OverheadWorkload(String bootstrap, int events) {
        this.bootstrap = bootstrap;
        this.events = events;
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(a) overhead: %,d events of 1.2 KB on 12 partitions%n", events);
        String topic = "bench-overhead";
        Kafka.createTopic(bootstrap, topic, 12);
        long t = System.nanoTime();
        Kafka.prefill(bootstrap, topic, events, 10_000);
        System.out.printf("  prefilled in %.1f s%n", (System.nanoTime() - t) / 1e9);
        // Warm both paths' code and the page cache once, then measure each.
        handWritten(topic, "warm-plain", Math.min(events, 20_000));
        eventcore(topic, "warm-eventcore", Math.min(events, 20_000));
        double plain = handWritten(topic, "plain", events);
        double ours = eventcore(topic, "eventcore", events);
        results.add("overhead: eventcore PARTITION, no-op handler", ours, "events/s",
                "hand-written kafka-clients loop", plain, true);
    }

    private double handWritten(String topic, String group, int count) {
        EventCodec codec = EventCodec.json();
        long seen = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap, group)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("hand-written loop: only " + seen + " of " + count);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    codec.decode(r.value(), Payloads.OrderPlaced.class, "OrderPlaced");
                    seen++;
                }
                if (!records.isEmpty()) {
                    consumer.commitAsync();
                }
            }
            consumer.commitSync();
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private double eventcore(String topic, String group, int count) throws InterruptedException {
        LongAdder handled = new LongAdder();
        EventRouter router = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> handled.increment())
                .retry(RetryPolicy.none()).build();
        long start = System.nanoTime();
        try (KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(Ordering.PARTITION).retryTopics(false)
                .properties(Map.of("auto.offset.reset", "earliest")).build()) {
            consumer.start();
            Kafka.await(handled::sum, count, java.time.Duration.ofMinutes(10), "eventcore consumer " + group);
            double rate = count / ((System.nanoTime() - start) / 1e9);
            return rate;
        } finally {
            router.close();
        }
    }
}
