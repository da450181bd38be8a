package io.eventcore.kafka;

import static io.eventcore.kafka.LoopHarness.rec;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.BatchFailedException;
import io.eventcore.BatchHandler;
import io.eventcore.EventHeaders;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batch routes on the Kafka consumer runtime (MockConsumer): grouping, failure semantics, revoke and close. */
class BatchConsumerTest {
    record Order(String id) {
    }

    private final LoopHarness h = new LoopHarness();
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    /** Each handler call's ids. */
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    /** Ids of events whose call returned normally, in the order the calls returned. */
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final List<DeadLetter> dlq = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        h.close();
    }

    private EventRouter router(BatchHandler<Order> inner) {
        return EventRouter.builder().retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(2)).deadLetter(dlq::add)
                .routeBatch("Order", Order.class, (events, ctx) -> {
                    List<String> ids = events.stream().map(e -> e.payload().id()).toList();
                    calls.add(ids);
                    inner.handle(events, ctx);
                    done.addAll(ids);
                }, o -> o.name("orders-batch")).build();
    }

    /** Adds the records in one poll, so that they reach the runtime together. */
    private void addTogether(List<ConsumerRecord<byte[], byte[]>> records) {
        h.consumer.schedulePollTask(() -> records.forEach(h.consumer::addRecord));
    }

    private List<ConsumerRecord<byte[], byte[]>> records(int n, String... keys) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(rec(p0, i, keys.length == 0 ? "k" : keys[i % keys.length], "o-" + i));
        }
        return out;
    }

    private static List<String> ids(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("o-" + i);
        }
        return out;
    }

    @Test
    void aPartitionsPolledRecordsAreOneCall_andTheirOffsetsCommit() {
        h.knobs.ordering = Ordering.PARTITION;
        h.start(router((events, ctx) -> { }), List.of(p0));
        addTogether(records(10));

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 10);
        assertThat(calls).containsExactly(ids(0, 10));
    }

    @Test
    void keyOrdering_groupsPerKey_inOrder() {
        h.knobs.ordering = Ordering.KEY;
        h.start(router((events, ctx) -> { }), List.of(p0));
        addTogether(records(9, "a", "b", "c"));

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 9);
        assertThat(calls).containsExactlyInAnyOrder(List.of("o-0", "o-3", "o-6"), List.of("o-1", "o-4", "o-7"),
                List.of("o-2", "o-5", "o-8"));
    }

    @Test
    void theFirstFailedEvent_isRetriedAlone_theOnesBeforeAreNotHandledAgain_andAllCommit() {
        h.knobs.ordering = Ordering.PARTITION;
        AtomicInteger failures = new AtomicInteger(1);
        h.start(router((events, ctx) -> {
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).payload().id().equals("o-5") && failures.getAndDecrement() > 0) {
                    done.addAll(events.subList(0, i).stream().map(e -> e.payload().id()).toList());
                    throw new BatchFailedException(i, new IllegalStateException("timeout"));
                }
            }
        }), List.of(p0));
        addTogether(records(10));

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 10);
        assertThat(calls).containsExactly(ids(0, 10), List.of("o-5"), ids(6, 10));
        assertThat(done).containsExactlyElementsOf(ids(0, 10));
        assertThat(dlq).isEmpty();
    }

    @Test
    void aPoisonEventInAFailedBatch_isDeadLetteredAlone_andItsNeighboursAreHandledOnce() {
        h.knobs.ordering = Ordering.PARTITION;
        h.start(router((events, ctx) -> {
            if (events.stream().anyMatch(e -> e.payload().id().equals("o-3"))) {
                throw new IllegalArgumentException("cannot handle o-3");
            }
        }), List.of(p0));
        addTogether(records(6));

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 6);
        assertThat(done).containsExactly("o-0", "o-1", "o-2", "o-4", "o-5");
        assertThat(dlq).singleElement().satisfies(letter -> {
            assertThat(letter.offset()).isEqualTo(3);
            assertThat(letter.attempts()).isEqualTo(2);
            assertThat(letter.handlerName()).isEqualTo("orders-batch");
        });
    }

    @Test
    void revokedWhileTheBatchRuns_nothingMoreIsHandledOrCommittedForTheOldOwner() throws Exception {
        h.knobs.ordering = Ordering.PARTITION;
        CountDownLatch inCall = new CountDownLatch(1);
        h.start(router((events, ctx) -> {
            inCall.countDown();
            release.await();
            throw new IllegalStateException("failed after revocation");
        }), List.of(p0));
        addTogether(records(5));
        assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();

        h.onPollThread(() -> h.consumer.rebalance(List.of()));
        release.countDown();

        Awaitility.await().during(300, TimeUnit.MILLISECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> calls.size() == 1);
        assertThat(h.committed(p0)).isLessThanOrEqualTo(0);
        assertThat(dlq).isEmpty();
    }

    @Test
    void closeWhileABatchRuns_waitsForIt_andCommitsItsOffsets() throws Exception {
        h.knobs.ordering = Ordering.PARTITION;
        h.knobs.drainTimeout = Duration.ofSeconds(20);
        CountDownLatch inCall = new CountDownLatch(1);
        ConsumerRuntime runtime = h.start(router((events, ctx) -> {
            inCall.countDown();
            release.await();
        }), List.of(p0));
        addTogether(records(4));
        assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(() -> runtime.close(Duration.ofSeconds(20)));
        closer.start();
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> runtime.health().status().name().equals("DOWN")
                || closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.WAITING);
        release.countDown();
        closer.join(20_000);

        assertThat(closer.isAlive()).isFalse();
        assertThat(h.committed(p0)).isEqualTo(4);
        assertThat(calls).containsExactly(ids(0, 4));
    }

    @Test
    void recordsOfOtherTypesKeepTheirPlaceBetweenBatches() {
        h.knobs.ordering = Ordering.PARTITION;
        List<String> order = new CopyOnWriteArrayList<>();
        EventRouter router = EventRouter.builder()
                .routeBatch("Order", Order.class, (events, ctx) -> order.add(
                        events.stream().map(e -> e.payload().id()).collect(Collectors.joining(","))))
                .route("Note", Order.class, (e, c) -> order.add("note:" + e.payload().id())).build();
        h.start(router, List.of(p0));
        List<ConsumerRecord<byte[], byte[]>> records = records(5);
        ConsumerRecord<byte[], byte[]> note = rec(p0, 2, "k", "n-2");
        note.headers().remove(EventHeaders.EVENT_TYPE);
        note.headers().add(EventHeaders.EVENT_TYPE, "Note".getBytes(StandardCharsets.UTF_8));
        records.set(2, note);
        addTogether(records);

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> h.committed(p0) == 5);
        assertThat(order).containsExactly("o-0,o-1", "note:n-2", "o-3,o-4");
    }
}
