package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.eventcore.codec.EventCodec;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Defects a review found in the transactional outbox relay (commit d85dec3), each shown on the in-memory kit; the
 * comments describe the defect as found. Fixed: listed ids the store no longer has are pruned when a shard is read
 * (ShardStreams.prune), and a failure in an aborted transaction is the row's own when the broker took other sends
 * (OutboxBatch.settleGroup), while sends aborted with it (SendAbortedException) are never counted.
 */
class TransactionalRelayReviewTest {
    private final ManualClock clock = new ManualClock();
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create(1, EventCodec.json(), clock);
    private final InMemoryBroker broker = new InMemoryBroker();

    private static OutboxEvent event(String aggregateType, String key, String value) {
        return OutboxEvent.builder(aggregateType, key).rawPayload("Step", value.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /**
     * Every take-over (here: a relay restart) reads the shard's last committed position, which lists the rows of
     * the previous holder's last transaction although they were settled (deleted) since. Those ids are never
     * fetched again, so never dropped from the relay's "unsettled" set, and every later commit carries them: the
     * position grows by one last batch per restart, until it reaches the transport's maxPositionLength (4000 on
     * Kafka and in memory). Then sendGroup's cap check breaks before the first row: nothing of the shard is ever
     * sent again, and publishPending spins (rows read, none sent, no failure) instead of returning.
     */
    @Test
    void positionOfSettledRows_isPrunedAcrossRestarts_soTheShardNeverStalls() throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (int restart = 0; restart < 40; restart++) {
                int r = restart;
                store.inTransaction(tx -> {
                    for (int i = 0; i < 100; i++) {
                        store.append(tx, event("Order", "k" + r + "-" + i, "v"));
                    }
                });
                OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher())
                        .clock(clock).build();
                Future<Integer> pass = runner.submit(relay::publishPending);
                boolean stalled = false;
                try {
                    pass.get(5, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    stalled = true;
                    store.setUnavailable(true); // breaks the spinning drain: its next fetch throws
                    try {
                        pass.get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException expected) {
                        // the store "went down"
                    }
                    store.setUnavailable(false);
                }
                relay.close();
                String position = broker.position("outbox-0").orElse("");
                int listed = position.isEmpty() ? 0 : position.substring(position.indexOf(";ids=") + 5).split(",").length;
                if (stalled || !store.pending().isEmpty()) {
                    fail("restart " + restart + ": publishPending " + (stalled ? "spun without returning" : "returned")
                            + " and " + store.pending().size() + " rows are still pending; the shard's position is "
                            + position.length() + " chars long and lists " + listed + " ids, every one a row settled (deleted) in"
                            + " an earlier restart");
                }
                assertThat(broker.messages("order-events")).hasSize(100 * (restart + 1));
            }
        } finally {
            runner.shutdownNow();
        }
    }

    /**
     * A row whose own send fails with a transient failure (Kafka: its topic missing from the metadata, a
     * {@code TimeoutException} after max.block.ms, which the Kafka publisher calls transient) aborts its shard's
     * transaction, and settleGroup treats every transient failure in an aborted transaction as a consequence of
     * the abort ({@code aborted || !anyPublished}, OutboxBatch:388): never counted, so the row stays due and is
     * sent, and aborts the shard's transaction, in every pass. Every other key of the shard waits forever (here
     * b). Without transactions ({@code transactional(false)}) b is published in the first pass and only a waits.
     */
    @Test
    void rowFailingTransientlyOnItsOwn_isCounted_andDoesNotBlockTheOtherKeysOfItsShard() {
        EventPublisher publisher = missingTopic(broker, "missing-events");
        store.inTransaction(tx -> store.append(tx, List.of(event("Missing", "a", "a1"), event("Order", "b", "b1"))));
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(publisher).clock(clock)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3)).build();
        for (int pass = 0; pass < 10; pass++) {
            relay.publishPending();
            clock.advance(Duration.ofSeconds(2));
        }
        relay.close();
        List<String> keys = new ArrayList<>();
        broker.messages("order-events").forEach(m -> keys.add(m.keyAsString()));
        assertThat(keys).as("b's row: another key of the shard, which a's failing row must not block").containsExactly("b");
    }

    /** Kafka's failure for a topic absent from the metadata: retriable, which the Kafka publisher calls transient. */
    static final class TopicNotInMetadata extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TopicNotInMetadata(String topic) {
            super("Topic " + topic + " not present in metadata after 60000 ms.");
        }
    }

    /** The in-memory broker's publisher, whose sends (with or without a transaction) to {@code topic} fail. */
    private static EventPublisher missingTopic(InMemoryBroker broker, String topic) {
        EventPublisher target = broker.publisher();
        java.util.function.Function<OutboundMessage, CompletionStage<PublishReceipt>> failing = message ->
                message.topic().equals(topic) ? CompletableFuture.failedFuture(new TopicNotInMetadata(topic)) : null;
        return Forwarding.publisher(
                message -> java.util.Objects.requireNonNullElseGet(failing.apply(message), () -> target.send(message)),
                Forwarding.transactions(broker, (id, tx) -> Forwarding.sending(tx, (message, inner) ->
                        java.util.Objects.requireNonNullElseGet(failing.apply(message), () -> inner.send(message)))),
                failure -> failure instanceof TopicNotInMetadata); // as KafkaEventPublisher: RetriableException
    }
}
