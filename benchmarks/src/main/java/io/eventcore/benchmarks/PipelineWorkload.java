package io.eventcore.benchmarks;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventConsumerBuilder;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (n) Consume &rarr; produce: a {@code KEY}-mode consumer whose handler publishes one event per order it reads,
 * in exactly-once mode (the output and the offsets in one Kafka transaction per commit) against the same pipeline
 * without transactions (the handler returns the publisher's stage, so a record is committed once its output was
 * acknowledged: at least once). Each run reads the same prefilled topic (records as the publisher writes them)
 * with a fresh group and writes a fresh output topic; the time runs from the consumer's start to the end of its
 * close (which commits what is left). Alternated, medians.
 */
final class PipelineWorkload {
    private static final int ALTERNATIONS = 3;
    private static final int PARTITIONS = 12;
    private final String bootstrap;
    private final int events;

    /** What the pipeline publishes for each order. */
    record OrderShipped(String orderId) {
    }

    PipelineWorkload(String bootstrap, int events) {
        this.bootstrap = bootstrap;
        this.events = events;
    }

    void run(Results results) throws Exception {
        String in = "bench-pipeline-in";
        Kafka.createTopic(bootstrap, in, PARTITIONS);
        Kafka.prefill(bootstrap, in, events, 1_000);
        System.out.printf("%n(n) consume -> produce: %,d events, %d partitions, KEY mode%n", events, PARTITIONS);
        run(in, true, -1);
        run(in, false, -2); // warm-up of both
        double[] tx = new double[ALTERNATIONS];
        double[] plain = new double[ALTERNATIONS];
        for (int a = 0; a < ALTERNATIONS; a++) {
            tx[a] = run(in, true, a);
            plain[a] = run(in, false, a);
        }
        Arrays.sort(tx);
        Arrays.sort(plain);
        results.add("consume -> produce, exactly once (KEY, 12 partitions)", tx[ALTERNATIONS / 2], "events/s",
                "same pipeline without transactions", plain[ALTERNATIONS / 2], true);
    }

    private double run(String in, boolean exactlyOnce, int round) throws Exception {
        String label = exactlyOnce ? "exactly-once" : "plain";
        String out = "bench-pipeline-out-" + label + "-" + (round + 10);
        Kafka.createTopic(bootstrap, out, PARTITIONS);
        AtomicLong handled = new AtomicLong();
        try (KafkaEventPublisher shipments = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(out).build();
                EventRouter router = EventRouter.builder().routeAsync(Payloads.OrderPlaced.class, (e, ctx) -> {
                    handled.incrementAndGet();
                    return shipments.publish(Event.of("OrderShipped", e.key(), new OrderShipped(e.payload().orderId())))
                            .thenApply(receipt -> null);
                }).build()) {
            KafkaEventConsumerBuilder builder = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                    .groupId("bench-pipeline-" + label + "-" + round).topics(in).ordering(Ordering.KEY)
                    .commitInterval(Duration.ofMillis(100)).router(router);
            if (exactlyOnce) {
                builder.exactlyOnce(shipments);
            }
            KafkaEventConsumer consumer = builder.build();
            long start = System.nanoTime();
            consumer.start();
            Kafka.await(handled::get, events, Duration.ofMinutes(5), "pipeline " + label);
            consumer.close(Duration.ofSeconds(30));
            double rate = events / ((System.nanoTime() - start) / 1e9);
            System.out.printf("  %s: %,.0f events/s%n", label, rate);
            return rate;
        }
    }
}
