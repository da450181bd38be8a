package io.eventcore.benchmarks;

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
 * (b) Parallelism beyond the partition count: a handler that waits 1 ms (simulated I/O) over 10,000
 * keys. eventcore KEY mode at several concurrency levels against the classic poll loop that handles
 * records one after the other (sequential per partition, and across partitions).
 */
final class ParallelismWorkload {
    static final long IO_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private final String bootstrap;
    private final int events;
    private final boolean profile;

    /** @param profile whether to run KEY at 256 once more under JFR after the measured runs */
    ParallelismWorkload(String bootstrap, int events, boolean profile) {
        this.bootstrap = bootstrap;
        this.events = events;
        this.profile = profile;
    }

    static void simulatedIo() {
        long end = System.nanoTime() + IO_NANOS;
        try {
            TimeUnit.NANOSECONDS.sleep(IO_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(b) parallelism: 1 ms handler, %,d events over 10,000 keys, 12 partitions%n", events);
        String topic = "bench-parallel";
        Kafka.createTopic(bootstrap, topic, 12);
        Kafka.prefill(bootstrap, topic, events, 10_000);
        // The sequential loop runs at about 1,000/s: 3,000 events give its rate.
        double sequential = sequentialLoop(topic, Math.min(events, 3_000));
        for (int concurrency : new int[] {16, 64, 256}) {
            double rate = eventcore(topic, "key-" + concurrency, concurrency);
            results.add("parallelism: eventcore KEY, maxConcurrency " + concurrency, rate, "events/s",
                    "sequential poll loop", sequential, true);
            java.util.OptionalDouble trivial = results.value(OverheadWorkload.KEY_FIGURE);
            if (concurrency == 256 && trivial.isPresent()) {
                // P2: how much of the trivial-handler KEY throughput survives a 1 ms handler at 256.
                results.add("parallelism: eventcore KEY 1 ms handler at 256, share of the trivial handler", rate,
                        "events/s", "eventcore KEY, trivial handler (overhead workload)", trivial.getAsDouble(), true);
            }
            double pc;
            try {
                pc = parallelConsumer(topic, "pc-" + concurrency, concurrency);
            } catch (Throwable e) {
                System.out.println("  Confluent Parallel Consumer failed on kafka-clients "
                        + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ": " + e);
                continue;
            }
            results.add("parallelism: eventcore KEY vs Parallel Consumer KEY, " + concurrency, rate, "events/s",
                    "Confluent Parallel Consumer " + concurrency, pc, true);
        }
        if (profile) {
            System.out.println("  profiled run (not counted): eventcore KEY, maxConcurrency 256");
            Profiler.profile("parallelism-key-256", () -> eventcore(topic, "profiled-256", 256));
        }
    }

    /** Confluent Parallel Consumer with the same ordering (KEY), concurrency, decode and handler. */
    private double parallelConsumer(String topic, String group, int concurrency) throws InterruptedException {
        PublishedRecords.UserDecoder codec = new PublishedRecords.UserDecoder();
        LongAdder handled = new LongAdder();
        KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap, group);
        io.confluent.parallelconsumer.ParallelConsumerOptions<byte[], byte[]> options =
                io.confluent.parallelconsumer.ParallelConsumerOptions.<byte[], byte[]>builder()
                        .consumer(consumer)
                        .ordering(io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder.KEY)
                        .maxConcurrency(concurrency)
                        .commitMode(io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode
                                .PERIODIC_CONSUMER_ASYNCHRONOUS)
                        .build();
        io.confluent.parallelconsumer.ParallelStreamProcessor<byte[], byte[]> processor =
                io.confluent.parallelconsumer.ParallelStreamProcessor.createEosStreamProcessor(options);
        long start = System.nanoTime();
        try {
            processor.subscribe(List.of(topic));
            processor.poll(context -> {
                codec.decode(context.getSingleConsumerRecord());
                simulatedIo();
                handled.increment();
            });
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (handled.sum() < events && System.nanoTime() < deadline) {
                if (processor.isClosedOrFailed()) {
                    throw new IllegalStateException("parallel consumer closed or failed");
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
            return handled.sum() / ((System.nanoTime() - start) / 1e9);
        } finally {
            processor.close();
        }
    }

    private double sequentialLoop(String topic, int count) {
        PublishedRecords.UserDecoder codec = new PublishedRecords.UserDecoder();
        long seen = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(bootstrap, "sequential")) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (seen < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sequential loop: only " + seen + " of " + count);
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    codec.decode(r);
                    simulatedIo();
                    if (++seen >= count) {
                        break;
                    }
                }
                consumer.commitAsync();
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private double eventcore(String topic, String group, int concurrency) throws InterruptedException {
        LongAdder handled = new LongAdder();
        EventRouter router = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> {
            simulatedIo();
            handled.increment();
        }).retry(RetryPolicy.none()).build();
        long start = System.nanoTime();
        try (KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(Ordering.KEY).maxConcurrency(concurrency).retryTopics(false)
                .properties(Map.of("auto.offset.reset", "earliest")).build()) {
            consumer.start();
            Kafka.await(handled::sum, events, java.time.Duration.ofMinutes(10), "eventcore consumer " + group);
            return events / ((System.nanoTime() - start) / 1e9);
        } finally {
            router.close();
        }
    }
}
