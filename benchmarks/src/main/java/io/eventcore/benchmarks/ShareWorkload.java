package io.eventcore.benchmarks;

import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaShareEventConsumer;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * (h) share groups, issue 26: a 1 ms handler (as in the parallelism workload), three {@link KafkaShareEventConsumer}
 * members of one share group on a <em>one</em>-partition topic, against three {@link KafkaEventConsumer}s
 * ({@code KEY}) of one consumer group on a twelve-partition topic; 64 workers per instance on both sides, the same
 * publisher-shaped records. Alternated twice; each rate counts from the first event handled to the last, so that the
 * groups' joins (a share group's first heartbeat comes after 5 s by default) are not part of it.
 */
final class ShareWorkload {
    private static final int INSTANCES = 3;
    private static final int WORKERS = 64;
    private final String bootstrap;
    private final int events;

    ShareWorkload(String bootstrap, int events) {
        this.bootstrap = bootstrap;
        this.events = events;
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(h) share groups: 1 ms handler, %,d events, %d instances x %d workers%n", events, INSTANCES,
                WORKERS);
        String shared = "bench-share-1p";
        String keyed = "bench-share-12p";
        Kafka.createTopic(bootstrap, shared, 1);
        Kafka.createTopic(bootstrap, keyed, 12);
        Kafka.prefill(bootstrap, shared, events, 10_000);
        Kafka.prefill(bootstrap, keyed, events, 10_000);
        List<Double> share = new ArrayList<>();
        List<Double> key = new ArrayList<>();
        for (int round = 1; round <= 2; round++) {
            share.add(run("share", shared, "share-" + round, true));
            key.add(run("key", keyed, "key-" + round, false));
            System.out.printf("  round %d: share group on 1 partition %,.0f, KEY on 12 partitions %,.0f events/s%n",
                    round, share.get(round - 1), key.get(round - 1));
        }
        results.add("share groups: 3 share members on 1 partition, 1 ms handler", share.get(1), "events/s",
                "3 KEY consumers on 12 partitions, same handler", key.get(1), true);
    }

    private double run(String kind, String topic, String group, boolean shareGroup) throws InterruptedException {
        LongAdder handled = new LongAdder();
        java.util.concurrent.atomic.AtomicLong first = new java.util.concurrent.atomic.AtomicLong();
        List<EventConsumer> members = new ArrayList<>();
        List<EventRouter> routers = new ArrayList<>();
        try {
            for (int i = 0; i < INSTANCES; i++) {
                EventRouter router = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> {
                    first.compareAndSet(0, System.nanoTime());
                    ParallelismWorkload.simulatedIo();
                    handled.increment();
                }).retry(RetryPolicy.none()).build();
                routers.add(router);
                EventConsumer consumer = shareGroup
                        ? KafkaShareEventConsumer.builder().bootstrapServers(bootstrap).groupId(group).topics(topic)
                                .router(router).maxConcurrency(WORKERS).build()
                        : KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group).topics(topic)
                                .router(router).ordering(Ordering.KEY).maxConcurrency(WORKERS).retryTopics(false)
                                .properties(Map.of("auto.offset.reset", "earliest")).build();
                members.add(consumer);
                consumer.start();
            }
            Kafka.await(handled::sum, events, Duration.ofMinutes(10), kind + " members " + group);
            return events / ((System.nanoTime() - first.get()) / 1e9);
        } finally {
            members.forEach(c -> c.close(Duration.ofSeconds(10)));
            routers.forEach(EventRouter::close);
        }
    }
}
