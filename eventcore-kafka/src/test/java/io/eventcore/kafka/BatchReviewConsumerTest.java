package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Review of batch routes on the consumer runtime (MockConsumer via {@link LoopHarness}).
 */
class BatchReviewConsumerTest {
    record Order(String id) {
    }

    private final LoopHarness h = new LoopHarness();
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    private final List<String> handled = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    private static ConsumerRecord<byte[], byte[]> unkeyed(TopicPartition tp, long offset, String id) {
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(tp.topic(), tp.partition(), offset, null,
                ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_TYPE, "Order".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    /**
     * STALL of unordered work. In KEY ordering "messages without a key are processed without ordering", and in
     * UNORDERED "every message may run in parallel with any other". With a batch route, PartitionWork.submitGroups
     * puts every such record of a poll into one NO_KEY group settled by ONE task in order, so a record that keeps
     * failing (no dead-letter sink: FAILED, retried by the settlement for ever) keeps every later record of the poll
     * from ever being handled. Without a batch route (or with a batch route but keyed records in other keys) they are
     * handled. Root cause: PartitionWork.submitGroups/orderingKey: {@code null} (no ordering) is turned into one
     * serial group instead of independent work.
     */
    @ParameterizedTest
    @EnumSource(value = Ordering.class, names = {"KEY", "UNORDERED"})
    void aFailingUnorderedRecordBlocksTheOtherRecordsOfItsPoll(Ordering ordering) {
        h.knobs.ordering = ordering;
        EventRouter router = EventRouter.builder().retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(1))
                .routeBatch("Order", Order.class, (events, ctx) -> {
                    if (events.stream().anyMatch(e -> e.payload().id().equals("o-1"))) {
                        throw new IllegalStateException("o-1 cannot be handled");
                    }
                    events.forEach(e -> handled.add(e.payload().id()));
                }).build();
        h.start(router, List.of(p0));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            records.add(unkeyed(p0, i, "o-" + i));
        }
        h.consumer.schedulePollTask(() -> records.forEach(h.consumer::addRecord));

        Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(handled).containsExactlyInAnyOrder("o-0", "o-2", "o-3"));
    }

    /** Control (passes): the same records and failure with a single-event route. */
    @ParameterizedTest
    @EnumSource(value = Ordering.class, names = {"KEY", "UNORDERED"})
    void control_singleRoute_theOtherRecordsAreHandled(Ordering ordering) {
        h.knobs.ordering = ordering;
        EventRouter router = EventRouter.builder().retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(1))
                .route("Order", Order.class, (e, ctx) -> {
                    if (e.payload().id().equals("o-1")) {
                        throw new IllegalStateException("o-1 cannot be handled");
                    }
                    handled.add(e.payload().id());
                }).build();
        h.start(router, List.of(p0));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            records.add(unkeyed(p0, i, "o-" + i));
        }
        h.consumer.schedulePollTask(() -> records.forEach(h.consumer::addRecord));

        Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .untilAsserted(() -> assertThat(handled).containsExactlyInAnyOrder("o-0", "o-2", "o-3"));
    }
}
