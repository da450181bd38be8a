package io.eventcore.kafka;

import io.eventcore.test.EmbeddedKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumers join and leave the group while events flow: every event is handled, per-key order holds. */
class KafkaRebalanceIT {
    record Step(String key, int seq) {
    }

    /**
     * Waits until every sent event was handled; on timeout it returns anyway, so that the test
     * reports exactly which events were lost instead of a bare timeout.
     */
    private static void awaitAllSeen(Set<String> seenIds, List<Event<Step>> sent) {
        try {
            await().atMost(Duration.ofSeconds(90))
                    .until(() -> sent.stream().allMatch(e -> seenIds.contains(e.id())));
        } catch (ConditionTimeoutException e) {
            // reported below as the set of lost events
        }
    }

    /** Under the classic group protocol and KIP-848's consumer protocol. */
    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void consumersJoiningAndLeaving_loseNothing_andKeepFirstHandlingInKeyOrder(String protocol) throws Exception {
        String topic = "rebalance-" + protocol + "-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(6, topic);
        String bootstrap = EmbeddedKafka.bootstrapServers();
        String group = "g-" + topic;
        Map<String, AtomicInteger> handledCount = new ConcurrentHashMap<>();
        Map<String, List<Integer>> firstSeen = new ConcurrentHashMap<>();
        Set<String> seenIds = ConcurrentHashMap.newKeySet();
        EventRouter router = EventRouter.builder().route(Step.class, (e, c) -> {
            handledCount.computeIfAbsent(e.id(), k -> new AtomicInteger()).incrementAndGet();
            if (seenIds.add(e.id())) {
                firstSeen.computeIfAbsent(e.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(e.payload().seq());
            }
            Thread.onSpinWait();
        }).build();

        int keys = 20;
        int perKey = 150;
        List<Event<Step>> sent = new ArrayList<>();
        List<KafkaEventConsumer> consumers = new ArrayList<>();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(topic)
                .build()) {
            for (int round = 0; round < 3; round++) {
                // Each round publishes a third of the sequence while membership changes.
                List<Event<Step>> batch = new ArrayList<>();
                for (int seq = round * perKey / 3; seq < (round + 1) * perKey / 3; seq++) {
                    for (int k = 0; k < keys; k++) {
                        batch.add(Event.of("key-" + k, new Step("key-" + k, seq)));
                    }
                }
                sent.addAll(batch);
                publisher.publishAll(batch).toCompletableFuture().join();
                KafkaEventConsumer joining = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                        .topics(topic).router(router).commitInterval(Duration.ofMillis(100))
                        .properties(Map.of("group.protocol", protocol))
                        .drainTimeout(Duration.ofSeconds(5)).build();
                joining.start();
                consumers.add(joining);
                int target = Math.min(sent.size(), seenIds.size() + batch.size() / 2);
                await().atMost(Duration.ofSeconds(60)).until(() -> seenIds.size() >= target);
                if (round == 1) {
                    consumers.remove(0).close(Duration.ofSeconds(10));
                }
            }
            awaitAllSeen(seenIds, sent);
        } finally {
            for (KafkaEventConsumer c : consumers) {
                c.close(Duration.ofSeconds(10));
            }
            router.close();
        }

        Set<String> sentIds = new HashSet<>();
        sent.forEach(e -> sentIds.add(e.id()));
        Set<String> lost = new HashSet<>(sentIds);
        lost.removeAll(seenIds);
        long duplicated = handledCount.values().stream().filter(n -> n.get() > 1).count();
        long extraHandlings = handledCount.values().stream().mapToLong(n -> n.get() - 1L).sum();
        System.out.printf("rebalance (" + protocol + "): %d events, %d lost, %d handled more than once (%d extra handlings)%n",
                sent.size(), lost.size(), duplicated, extraHandlings);
        assertThat(lost).as("events never handled").isEmpty();
        assertThat(sentIds).as("handled only events that were sent").containsAll(handledCount.keySet());
        for (Map.Entry<String, List<Integer>> e : firstSeen.entrySet()) {
            List<Integer> seqs = new ArrayList<>(e.getValue());
            List<Integer> sorted = new ArrayList<>(seqs);
            sorted.sort(null);
            assertThat(seqs).as("first handling order of %s", e.getKey()).isEqualTo(sorted);
        }
    }
}
