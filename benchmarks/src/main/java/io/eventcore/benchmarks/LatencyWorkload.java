package io.eventcore.benchmarks;

import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * (c) Producer-to-handler latency at a paced 5,000 events/s: the eventcore publisher and consumer
 * against a plain kafka-clients producer and consumer with the same producer settings.
 */
final class LatencyWorkload {
    static final int RATE = 5_000;
    static final String SENT = "bench_sent_nanos";
    private final String bootstrap;
    private final int seconds;

    LatencyWorkload(String bootstrap, int seconds) {
        this.bootstrap = bootstrap;
        this.seconds = seconds;
    }

    /** Latencies of one run, first fifth dropped as warm-up. */
    static final class Samples {
        final long[] nanos;
        final AtomicInteger next = new AtomicInteger();

        Samples(int capacity) {
            nanos = new long[capacity];
        }

        void record(long sentNanos) {
            int i = next.getAndIncrement();
            if (i < nanos.length) {
                nanos[i] = System.nanoTime() - sentNanos;
            }
        }

        double percentileMillis(double p) {
            int n = Math.min(next.get(), nanos.length);
            long[] kept = Arrays.copyOfRange(nanos, n / 5, n);
            Arrays.sort(kept);
            return kept[(int) Math.min(kept.length - 1, Math.ceil(p / 100.0 * kept.length) - 1)] / 1e6;
        }
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(c) latency: %d events/s for %d s, producer to handler%n", RATE, seconds);
        Kafka.createTopic(bootstrap, "bench-latency-plain", 12);
        Kafka.createTopic(bootstrap, "bench-latency-eventcore", 12);
        Samples plain = plain("bench-latency-plain");
        Samples ours = eventcore("bench-latency-eventcore");
        for (double p : new double[] {50, 99, 99.9}) {
            results.add("latency p" + p + ": eventcore publisher + consumer", ours.percentileMillis(p), "ms",
                    "plain producer + consumer p" + p, plain.percentileMillis(p), false);
        }
    }

    private static void paced(int total, Consumer<Integer> send) {
        long interval = TimeUnit.SECONDS.toNanos(1) / RATE;
        long next = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send.accept(i);
            next += interval;
        }
    }

    private Samples plain(String topic) throws Exception {
        int total = RATE * seconds;
        Samples samples = new Samples(total);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread poller = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap, "latency-plain")) {
                consumer.subscribe(List.of(topic));
                PublishedRecords.UserDecoder decoder = new PublishedRecords.UserDecoder();
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        decoder.decode(r);
                        samples.record(Long.parseLong(new String(r.headers().lastHeader(SENT).value(),
                                StandardCharsets.UTF_8)));
                    }
                    consumer.commitAsync();
                }
            }
        });
        poller.start();
        awaitAssignment();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("linger.ms", "5");
        EventCodec codec = EventCodec.json();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            paced(total, i -> {
                String key = "key-" + (i % 1000);
                // The same bytes the eventcore publisher writes, sent by a plain producer.
                producer.send(PublishedRecords.record(topic, key, i, codec,
                        Map.of(SENT, String.valueOf(System.nanoTime()))));
            });
        }
        awaitCount(samples, total);
        running.set(false);
        poller.join();
        return samples;
    }

    private Samples eventcore(String topic) throws Exception {
        int total = RATE * seconds;
        Samples samples = new Samples(total);
        EventRouter router = EventRouter.builder().route(Payloads.OrderPlaced.class,
                (e, c) -> samples.record(Long.parseLong(c.message().header(SENT)))).retry(RetryPolicy.none()).build();
        try (KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                .groupId("latency-eventcore").topics(topic).router(router).retryTopics(false)
                .properties(Map.of("auto.offset.reset", "earliest")).build();
                KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(topic)
                        .build()) {
            consumer.start();
            awaitAssignment();
            paced(total, i -> {
                String key = "key-" + (i % 1000);
                publisher.publish(Event.of(key, Payloads.order(key, i)).withHeaders(Map.of(SENT,
                        String.valueOf(System.nanoTime()), EventHeaders.TRACEPARENT, PublishedRecords.traceparent(i))));
            });
            awaitCount(samples, total);
        } finally {
            router.close();
        }
        return samples;
    }

    /** Gives the consumer group time to form before the paced run starts. */
    private static void awaitAssignment() throws InterruptedException {
        TimeUnit.SECONDS.sleep(3);
    }

    private static void awaitCount(Samples samples, int total) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (samples.next.get() < total && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
