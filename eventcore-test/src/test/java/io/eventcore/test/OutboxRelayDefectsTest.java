package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Clock;
import io.eventcore.codec.EventCodec;
import io.eventcore.transport.EventPublisher;
import io.eventcore.NonRetryableException;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reproductions of defects in the relay itself (in-memory store and broker). */
class OutboxRelayDefectsTest {

    private static OutboxEvent event(String type, String key, String value) {
        return OutboxEvent.builder(type, key).rawPayload("Step", value.getBytes(StandardCharsets.UTF_8)).build();
    }

    /**
     * A row that dies because its message cannot be built (topicNaming says it is poison) makes
     * OutboxBatch call toMessage() again on the dead path; that throws out of publish(), so no
     * shard is settled: every other row of the round is re-sent on every pass and the poison row
     * never reaches the dead table.
     */
    @Test
    void deadRowWhoseMessageCannotBeBuilt_stallsEveryShard_andResendsTheRound() {
        InMemoryOutboxStore store = InMemoryOutboxStore.create(4, EventCodec.json(), Clock.system());
        InMemoryBroker broker = new InMemoryBroker();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher())
                .retry(RetryPolicy.none())
                .topicNaming((eventType, aggregateType, key) -> {
                    if (aggregateType.equals("Legacy")) {
                        throw new NonRetryableException("no topic for aggregate type Legacy");
                    }
                    return "orders";
                }).build();
        store.inTransaction(tx -> store.append(tx, event("Legacy", "x", "old")));
        for (int i = 0; i < 20; i++) {
            String key = "k" + i;
            store.inTransaction(tx -> store.append(tx, event("Order", key, key)));
        }
        for (int pass = 1; pass <= 3; pass++) {
            try {
                relay.publishPending();
                System.out.println("pass " + pass + " ok");
            } catch (RuntimeException e) {
                System.out.println("pass " + pass + " threw " + e);
            }
            System.out.println("after pass " + pass + ": pending=" + store.pending().size() + " dead="
                    + store.deadRecords(10).size() + " messages on 'orders'=" + broker.messages("orders").size());
        }
        assertThat(store.deadRecords(10)).as("the Legacy row is dead").hasSize(1);
        assertThat(broker.messages("orders")).as("each Order row published once").hasSize(20);
    }

    /**
     * An Error thrown while sending (e.g. NoClassDefFoundError for an optional compression codec,
     * OutOfMemoryError on a huge batch) kills the relay thread: loop() only catches RuntimeException.
     * status() still says running and healthy, and nothing is published any more.
     */
    @Test
    void errorDuringAPass_killsTheRelayThread_whileStatusStaysHealthy() throws Exception {
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        InMemoryBroker broker = new InMemoryBroker();
        AtomicInteger sends = new AtomicInteger();
        EventPublisher target = broker.publisher();
        EventPublisher publisher = new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                if (sends.incrementAndGet() == 1) {
                    throw new NoClassDefFoundError("net/jpountz/lz4/LZ4Factory");
                }
                return target.send(message);
            }

            @Override
            public void close() {
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(publisher).relayId("defect-relay")
                .minPollInterval(Duration.ofMillis(5)).maxPollInterval(Duration.ofMillis(50)).build();
        relay.start();
        store.inTransaction(tx -> store.append(tx, event("Order", "a", "1")));
        Thread.sleep(1000);
        store.inTransaction(tx -> store.append(tx, event("Order", "b", "2")));
        Thread.sleep(1000);
        boolean threadAlive = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("eventcore-outbox-defect-relay") && t.isAlive());
        System.out.println("relay thread alive=" + threadAlive + " status=" + relay.status() + " healthy="
                + relay.status().healthy() + " pending=" + store.pending().size() + " published="
                + broker.messages("order-events").size());
        try {
            assertThat(broker.messages("order-events")).as("both rows published after a one-off failure").hasSize(2);
        } finally {
            relay.close(Duration.ofSeconds(1));
        }
    }

    /**
     * Acks slower than the lease TTL: the relay does not renew while awaiting, so its leases lapse
     * mid-round; relays below their fair share take them, and the finishing relay's settlement is
     * fenced. Measures duplicates and fenced rounds against the same load with fast acks.
     */
    @Test
    void acksSlowerThanLeaseTtl_threeRelays_bounceShardsAndDuplicate() throws Exception {
        System.out.println("3 relays, ttl 1 s, acks 50 ms:   " + run(Duration.ofMillis(50), 3));
        System.out.println("1 relay,  ttl 1 s, acks 1500 ms: " + run(Duration.ofMillis(1500), 1));
        System.out.println("3 relays, ttl 1 s, acks 700 ms:  " + run(Duration.ofMillis(700), 3));
        String slow = run(Duration.ofMillis(1500), 3);
        System.out.println("3 relays, ttl 1 s, acks 1500 ms: " + slow);
        assertThat(slow).as("slow acks: drained, without a duplicate storm").startsWith("drained=true")
                .contains("fenced rounds=0");
    }

    private static String run(Duration ackDelay, int relayCount) throws Exception {
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        InMemoryBroker broker = new InMemoryBroker();
        EventPublisher target = broker.publisher();
        java.util.concurrent.Executor later = java.util.concurrent.CompletableFuture.delayedExecutor(
                ackDelay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        EventPublisher slow = new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                PublishReceipt r = target.send(message).toCompletableFuture().join();
                return java.util.concurrent.CompletableFuture.supplyAsync(() -> r, later);
            }

            @Override
            public void close() {
            }
        };
        java.util.List<OutboxPublisher> relays = new java.util.ArrayList<>();
        for (int i = 0; i < relayCount; i++) {
            relays.add(OutboxPublisher.builder().store(store).publisher(slow).relayId("r" + i)
                    .leaseTtl(Duration.ofMillis(1000)).batchSize(50).build());
        }
        relays.forEach(OutboxPublisher::start);
        Thread.sleep(1500);
        int rows = 2000;
        for (int i = 0; i < rows; i++) {
            String key = "k" + (i % 200);
            int n = i;
            store.inTransaction(tx -> store.append(tx, event("Order", key, key + ":" + n)));
        }
        long start = System.nanoTime();
        while (!store.pending().isEmpty() && System.nanoTime() - start < 30_000_000_000L) {
            Thread.sleep(100);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        long fenced = relays.stream().mapToLong(r -> r.status().fenceRejections()).sum();
        relays.forEach(r -> r.close(Duration.ofSeconds(5)));
        int sent = broker.messages("order-events").size();
        return "drained=" + store.pending().isEmpty() + " in " + ms + " ms, rows=" + rows + " messages=" + sent
                + " duplicates=" + (sent - rows) + " fenced rounds=" + fenced;
    }
}
