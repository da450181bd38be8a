package io.eventcore.benchmarks;

import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaEventConsumer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * (a) Framework overhead: an eventcore consumer, decode and a trivial handler, in PARTITION and in KEY mode,
 * against the hand-written kafka-clients loop a user would write instead (default {@code ObjectMapper} with a
 * cached reader, a switch on the type header, {@code commitAsync} per poll). Records are as the publisher
 * writes them. Three alternations (loop, PARTITION, KEY); each figure is the median of its three runs.
 */
final class OverheadWorkload {
    /** Name of the KEY-mode figure, which the parallelism workload compares its 1 ms runs with (P2). */
    static final String KEY_FIGURE = "overhead: eventcore KEY, decode + trivial handler";
    private static final int ALTERNATIONS = 3;
    private final String bootstrap;
    private final int events;
    private final boolean profile;
    private final PayloadFormat format;

    /**
     * @param profile whether to run PARTITION once more under JFR after the measured runs, and print its profile
     * @param format how the records are encoded and how the hand-written loop decodes them
     */
    OverheadWorkload(String bootstrap, int events, boolean profile, PayloadFormat format) {
        this.bootstrap = bootstrap;
        this.events = events;
        this.profile = profile;
        this.format = format;
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(a) overhead%s: %,d OrderPlaced events on 12 partitions, %d alternations%n",
                format.label(), events, ALTERNATIONS);
        String topic = "bench-overhead" + (format == PayloadFormat.JSON ? "" : "-" + format.name().toLowerCase());
        Kafka.createTopic(bootstrap, topic, 12);
        long t = System.nanoTime();
        Kafka.prefill(bootstrap, topic, events, 10_000, format);
        System.out.printf("  prefilled in %.1f s%n", (System.nanoTime() - t) / 1e9);
        // Warm every path's code and the page cache once, then alternate.
        int warm = Math.min(events, 20_000);
        handWritten(topic, "warm-plain", warm);
        eventcore(topic, "warm-partition", warm, Ordering.PARTITION);
        eventcore(topic, "warm-key", warm, Ordering.KEY);
        double[] plain = new double[ALTERNATIONS];
        double[] partition = new double[ALTERNATIONS];
        double[] key = new double[ALTERNATIONS];
        for (int i = 0; i < ALTERNATIONS; i++) {
            plain[i] = handWritten(topic, "plain-" + i, events);
            partition[i] = eventcore(topic, "partition-" + i, events, Ordering.PARTITION);
            key[i] = eventcore(topic, "key-" + i, events, Ordering.KEY);
            System.out.printf("  alternation %d: loop %,.0f, PARTITION %,.0f, KEY %,.0f events/s%n", i + 1, plain[i],
                    partition[i], key[i]);
        }
        String l = format.label();
        results.add("overhead: eventcore PARTITION, decode + trivial handler" + l, median(partition), "events/s",
                "hand-written kafka-clients loop" + l, median(plain), true);
        results.add(KEY_FIGURE + l, median(key), "events/s", "hand-written kafka-clients loop" + l, median(plain), true);
        // P1 as tracked: the ratio of each alternation (runs next to each other see the same machine), median.
        results.add("P1 PARTITION: median of per-alternation ratios to the loop" + l, medianRatio(partition, plain),
                "ratio", "parity with the hand-written loop", 1.0, true);
        results.add("P1 KEY: median of per-alternation ratios to the loop" + l, medianRatio(key, plain), "ratio",
                "parity with the hand-written loop", 1.0, true);
        if (format != PayloadFormat.JSON) {
            return; // the raw route and the profile do not depend on the payload format
        }
        // Deliverable 4: a raw route, routed by the type header, payload never decoded, against the same loop.
        LongAdder rawHandled = new LongAdder();
        double raw = consume(topic, "raw", events, Ordering.PARTITION, rawHandled, EventRouter.builder()
                .routeRaw("OrderPlaced", (message, context) -> rawHandled.increment()));
        System.out.printf("  raw route (no decode), PARTITION: %,.0f events/s%n", raw);
        results.add("overhead: eventcore PARTITION, raw route (no decode)", raw, "events/s",
                "hand-written kafka-clients loop, decoding (median)", median(plain), true);
        if (profile) {
            System.out.println("  profiled run (not counted): PARTITION");
            Profiler.profile("overhead-partition", () -> eventcore(topic, "profiled", events, Ordering.PARTITION));
        }
    }

    static double medianRatio(double[] ours, double[] baseline) {
        double[] ratios = new double[ours.length];
        for (int i = 0; i < ours.length; i++) {
            ratios[i] = ours[i] / baseline[i];
        }
        return median(ratios);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private double handWritten(String topic, String group, int count) {
        java.util.function.Function<ConsumerRecord<byte[], byte[]>, Object> decoder = format.userDecoder();
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
                    decoder.apply(r);
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

    private double eventcore(String topic, String group, int count, Ordering ordering) throws InterruptedException {
        LongAdder handled = new LongAdder();
        return consume(topic, group, count, ordering, handled, EventRouter.builder().codec(format.codec())
                .route("OrderPlaced", format.payloadClass(), (e, c) -> handled.increment()));
    }

    private double consume(String topic, String group, int count, Ordering ordering, LongAdder handled,
            EventRouter.Builder routes) throws InterruptedException {
        EventRouter router = routes.retry(RetryPolicy.none()).build();
        long start = System.nanoTime();
        try (KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(ordering).retryTopics(false)
                .properties(Map.of("auto.offset.reset", "earliest")).build()) {
            consumer.start();
            Kafka.await(handled::sum, count, java.time.Duration.ofMinutes(10), "eventcore consumer " + group);
            return count / ((System.nanoTime() - start) / 1e9);
        } finally {
            router.close();
        }
    }
}
