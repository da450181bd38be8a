package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.codec.EventCodec;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.Transactions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The transactional relay with the in-memory store and broker, deterministically: a relay that dies between the
 * broker's commit and the store's settlement, and a relay frozen past its lease while another takes over.
 */
class TransactionalRelayTest {
    private static final Duration TTL = Duration.ofSeconds(10);
    private final ManualClock clock = new ManualClock();
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create(4, EventCodec.json(), clock);
    private final InMemoryBroker broker = new InMemoryBroker();

    /** A publisher over the broker whose transactions pass through {@code wrap}. */
    private EventPublisher publisher(UnaryOperator<PublishTransaction> wrap) {
        EventPublisher target = broker.publisher();
        // As Kafka's RecordTooLargeException: not transient for the publisher, retryable for the policy.
        return Forwarding.publisher(target::send, Forwarding.transactions(broker, (id, tx) -> wrap.apply(tx)),
                failure -> !(failure instanceof IllegalArgumentException) && target.isTransient(failure));
    }

    /** A transaction that runs {@code beforeCommit} first and {@code afterCommit} once it committed. */
    private static PublishTransaction around(PublishTransaction tx, Runnable beforeCommit, Runnable afterCommit) {
        return new Forwarding.Transaction(tx) {
            @Override
            public CompletionStage<Void> commit(String position) {
                beforeCommit.run();
                return tx.commit(position).thenRun(afterCommit);
            }
        };
    }

    private OutboxPublisher relay(String id, EventPublisher publisher, boolean transactional) {
        return OutboxPublisher.builder().store(store).publisher(publisher).relayId(id).clock(clock).leaseTtl(TTL)
                .transactional(transactional).build();
    }

    private void append(int count) {
        List<OutboxEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "k" + (i % 7);
            events.add(OutboxEvent.builder("Order", key).rawPayload("Step", (key + ":" + i).getBytes(StandardCharsets.UTF_8))
                    .build());
        }
        store.inTransaction(tx -> store.append(tx, events));
    }

    private Map<String, Integer> copiesOnTheTopic() {
        Map<String, Integer> copies = new HashMap<>();
        for (InboundMessage m : broker.messages("order-events")) {
            copies.merge(new String(m.value(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return copies;
    }

    private Map<String, Integer> relayDiesBetweenCommitAndSettlement(boolean transactional) {
        broker.createTopic("order-events", 2);
        append(60);
        // The store goes down right after the broker committed: the settlement fails, and the relay "dies".
        OutboxPublisher dying = relay("dying", publisher(tx -> around(tx, () -> { }, () -> store.setUnavailable(true))),
                transactional);
        EventPublisher plainDying = Forwarding.publisher(message -> {
            CompletionStage<PublishReceipt> sent = broker.publisher().send(message);
            store.setUnavailable(true);
            return sent;
        }, null, null);
        if (!transactional) {
            dying = relay("dying", plainDying, false);
        }
        try {
            dying.publishPending();
        } catch (RuntimeException storeDown) {
            // the settlement failed: the relay's process ends here, its leases stay in the store
        }
        assertThat(broker.messages("order-events")).as("the dying relay published before the store went down")
                .isNotEmpty();
        store.setUnavailable(false);
        clock.advance(TTL.plusSeconds(1)); // its leases lapse
        OutboxPublisher successor = relay("successor", broker.publisher(), transactional);
        successor.publishPending();
        assertThat(store.backlog().pending()).as("nothing left").isZero();
        return copiesOnTheTopic();
    }

    @Test
    void relayDyingBetweenTheBrokersCommitAndTheSettlement_successorSettlesItsRows_eachRowOnceOnTheTopic() {
        Map<String, Integer> copies = relayDiesBetweenCommitAndSettlement(true);
        assertThat(copies).as("every row").hasSize(60);
        assertThat(copies.values()).as("each once").containsOnly(1);
    }

    @Test
    void withoutTransactions_theSameDeath_sendsTheRowsAgain() {
        Map<String, Integer> copies = relayDiesBetweenCommitAndSettlement(false);
        assertThat(copies).as("every row").hasSize(60);
        assertThat(copies.values()).as("the dead relay's rows twice").contains(2);
    }

    @Test
    void relayFrozenInItsCommit_pastItsLease_isFencedByTheSuccessor_andNothingItSentBecomesVisible() throws Exception {
        broker.createTopic("order-events", 2);
        append(40);
        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch thaw = new CountDownLatch(1);
        OutboxPublisher zombie = relay("zombie", publisher(tx -> around(tx, () -> {
            frozen.countDown();
            try {
                thaw.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> { })), true);
        CompletableFuture<Integer> zombiePass = CompletableFuture.supplyAsync(zombie::publishPending);
        assertThat(frozen.await(30, TimeUnit.SECONDS)).as("the zombie reached its commit").isTrue();
        clock.advance(TTL.plusSeconds(1));
        OutboxPublisher successor = relay("successor", broker.publisher(), true);
        int published = successor.publishPending();
        assertThat(published).as("the successor published every row").isEqualTo(40);
        thaw.countDown();
        zombiePass.get(30, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> zombie.status().fenceRejections() > 0);
        Map<String, Integer> copies = copiesOnTheTopic();
        assertThat(copies).as("every row").hasSize(40);
        assertThat(copies.values()).as("each once: the zombie's transaction never became visible").containsOnly(1);
    }

    @Test
    void aStreamThatBroke_isOpenedAfresh_andTheShardFlowsAgain() {
        broker.createTopic("order-events", 2);
        append(20);
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        Transactions breakingFirst = Forwarding.opening(broker, (id, stream) -> {
            boolean broken = opened.getAndIncrement() == 0; // the first stream opened is broken for good
            return new Forwarding.Stream(stream) {
                @Override
                public PublishTransaction begin() {
                    if (broken) {
                        throw new IllegalStateException("stream " + id + " is closed");
                    }
                    return stream.begin();
                }
            };
        });
        EventPublisher publisher = Forwarding.publisher(broker.publisher()::send, breakingFirst, null);
        OutboxPublisher relay = relay("r", publisher, true);
        Awaitility.await("every row published").atMost(Duration.ofSeconds(10)).until(() -> {
            relay.publishPending();
            return store.backlog().pending() == 0;
        });
        assertThat(copiesOnTheTopic().values()).as("each row once").hasSize(20).containsOnly(1);
        assertThat(opened.get()).as("the broken stream's shard opened a new stream").isGreaterThan(4);
    }

    @Test
    void idsReused_byARecreatedOutbox_areNotTakenForPublished_everyNewRowIsSent() {
        broker.createTopic("order-events", 2);
        append(30);
        relay("first", broker.publisher(), true).publishPending();
        assertThat(copiesOnTheTopic()).hasSize(30);
        // The outbox is re-created (ids start again at 1) while the broker keeps the shards' positions, which list
        // ids of the first outbox's last transactions.
        InMemoryOutboxStore recreated = InMemoryOutboxStore.create(4, EventCodec.json(), clock);
        List<OutboxEvent> fresh = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            fresh.add(OutboxEvent.builder("Order", "k" + (i % 7))
                    .rawPayload("Step", ("new:" + i).getBytes(StandardCharsets.UTF_8)).build());
        }
        recreated.inTransaction(tx -> recreated.append(tx, fresh));
        OutboxPublisher second = OutboxPublisher.builder().store(recreated).publisher(broker.publisher())
                .relayId("second").clock(clock).leaseTtl(TTL).build();
        second.publishPending();
        assertThat(recreated.backlog().pending()).isZero();
        assertThat(copiesOnTheTopic().keySet().stream().filter(v -> v.startsWith("new:")))
                .as("every row of the re-created outbox reached the topic").hasSize(30);
    }

    /**
     * Kafka's way with a record the client refuses (too large): the send fails on the spot, the transaction turns to
     * an error state, and the sends before it that the client had not yet passed to the broker fail with it.
     */
    private static PublishTransaction refusingPoison(PublishTransaction tx) {
        List<CompletableFuture<PublishReceipt>> earlier = new ArrayList<>();
        boolean[] failed = {false};
        return Forwarding.sending(tx, (message, target) -> {
            if (failed[0]) {
                return CompletableFuture.failedFuture(new io.eventcore.transport.SendAbortedException(
                        new IllegalStateException("transaction in error state")));
            }
            if (new String(message.value(), StandardCharsets.UTF_8).startsWith("poison")) {
                failed[0] = true;
                earlier.forEach(f -> f.obtrudeException(new io.eventcore.transport.SendAbortedException(
                        new IllegalStateException("aborted with the batch"))));
                return CompletableFuture.failedFuture(new IllegalArgumentException("record too large"));
            }
            CompletableFuture<PublishReceipt> sent = target.send(message).toCompletableFuture();
            earlier.add(sent);
            return sent;
        });
    }

    @Test
    void aPoisonRowWhoseEarlierKeyRowsFailWithIt_isChargedItsAttempts_andGoesDead_whileItsKeyFlows() {
        broker.createTopic("order-events", 2);
        List<OutboxEvent> events = new ArrayList<>();
        for (String v : List.of("p:0", "p:1", "poison", "p:3", "p:4", "q:0", "q:1")) {
            String key = v.startsWith("q") ? "q" : "p";
            events.add(OutboxEvent.builder("Order", key).rawPayload("Step", v.getBytes(StandardCharsets.UTF_8)).build());
        }
        store.inTransaction(tx -> store.append(tx, events));
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(publisher(
                TransactionalRelayTest::refusingPoison)).relayId("r").clock(clock).leaseTtl(TTL)
                .retry(io.eventcore.retry.RetryPolicy.fixed(Duration.ofMillis(200)).maxAttempts(3)).deadLetter(sink)
                .build();
        // Bounded: a poison row never charged would keep every pass failing, and publishPending spinning, for good.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int pass = 0; pass < 20 && store.backlog().pending() > 0; pass++) {
                relay.publishPending();
                clock.advance(Duration.ofSeconds(1));
            }
        });
        assertThat(store.backlog().pending()).as("nothing left pending: %s", store.backlog()).isZero();
        assertThat(store.deadRecords(10)).singleElement().satisfies(d -> {
            assertThat(d.attempts()).isEqualTo(3);
            assertThat(d.lastError()).contains("record too large");
        });
        assertThat(sink.deadLetters()).hasSize(1);
        assertThat(broker.messages("order-events")).extracting(m -> new String(m.value(), StandardCharsets.UTF_8))
                .containsSubsequence("p:0", "p:1", "p:3", "p:4").contains("q:0", "q:1").hasSize(6);
    }
}
