package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxCompletion;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The relay settles a pass on its settle thread while the next pass reads the other half of its shards: per key,
 * nothing may change (no shard is read while its settlement is in flight), every row is settled, and
 * closing the relay finishes the settlement in flight.
 */
class OutboxSettlementPipelineTest {
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create(8, io.eventcore.codec.EventCodec.json(),
            io.eventcore.Clock.system());
    private final InMemoryBroker broker = new InMemoryBroker();

    /**
     * Writes at once and acknowledges after a random delay of up to 2 ms; rows whose value starts with "poison"
     * fail for good, as late.
     */
    private EventPublisher slowAcks(long seed) {
        EventPublisher target = broker.publisher();
        Random random = new Random(seed);
        return new EventPublisher() {
            @Override
            public synchronized CompletionStage<PublishReceipt> send(OutboundMessage message) {
                Executor later = CompletableFuture.delayedExecutor(random.nextInt(2_000), TimeUnit.MICROSECONDS);
                if (new String(message.value(), StandardCharsets.UTF_8).startsWith("poison")) {
                    return CompletableFuture.supplyAsync(() -> {
                        throw new IllegalArgumentException("record too large");
                    }, later);
                }
                // Written in send order, as a producer writes a partition; only the acknowledgement is late.
                PublishReceipt receipt = target.send(message).toCompletableFuture().join();
                return CompletableFuture.supplyAsync(() -> receipt, later);
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void manyKeysOverEightShards_withPoisonRows_keepTheirOrder_andEveryRowIsSettled() {
        Random random = new Random(7);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        int poison = 0;
        Set<String> poisonedKeys = new HashSet<>();
        for (int tx = 0; tx < 40; tx++) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String key = "k" + random.nextInt(60);
                String value = key + ":" + tx + ":" + i;
                if (random.nextInt(50) == 0) {
                    value = "poison-" + value;
                    poison++;
                    poisonedKeys.add(key);
                } else {
                    expected.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
                events.add(OutboxEvent.builder("Order", key).rawPayload("Step", value.getBytes(StandardCharsets.UTF_8))
                        .build());
            }
            store.inTransaction(t -> store.append(t, events));
        }
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        // Settling takes as long as a database's commit: long enough for the next pass to read while it runs.
        ForwardingOutboxStore slowCommits = new ForwardingOutboxStore(store) {
            @Override
            public boolean complete(OutboxLease lease, OutboxCompletion completion, Instant now) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                return super.complete(lease, completion, now);
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(slowCommits).publisher(slowAcks(11)).batchSize(50)
                .retry(RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(1)).deadLetter(sink).build();

        int published = relay.publishPending();

        assertThat(store.pending()).as("nothing left pending").isEmpty();
        assertThat(published).as("publishPending counts every row published, the last settlement's too")
                .isGreaterThanOrEqualTo(4_000 - poison);
        assertThat(sink.deadLetters()).hasSize(poison);
        // A poison row's send fails after its key's later rows went out: they stay pending behind it and go
        // again once it is dead (duplicates of that key, by design); their first copies keep the order.
        Map<String, List<String>> firstCopies = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (InboundMessage m : broker.messages("order-events")) {
            String value = new String(m.value(), StandardCharsets.UTF_8);
            if (seen.add(value)) {
                firstCopies.computeIfAbsent(m.keyAsString(), k -> new ArrayList<>()).add(value);
            } else {
                assertThat(poisonedKeys).as("only a key with a poison row sees a duplicate: %s", value)
                        .contains(m.keyAsString());
            }
        }
        assertThat(firstCopies).as("per key, the first copies on the topic follow id order").isEqualTo(expected);
        relay.close();
    }

    @Test
    void closingARunningRelay_finishesTheSettlementInFlight() {
        for (int tx = 0; tx < 50; tx++) {
            List<OutboxEvent> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                events.add(OutboxEvent.builder("Order", "k" + i % 37)
                        .rawPayload("Step", ("v" + tx + ":" + i).getBytes(StandardCharsets.UTF_8)).build());
            }
            store.inTransaction(t -> store.append(t, events));
        }
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(slowAcks(3)).batchSize(20).build();
        relay.start();
        Awaitility.await("some rows published").atMost(Duration.ofSeconds(20))
                .until(() -> broker.messages("order-events").size() >= 500);

        relay.close(Duration.ofSeconds(10));

        Set<String> pendingIds = new HashSet<>();
        store.pending().stream().map(OutboxRecord::eventId).forEach(pendingIds::add);
        List<InboundMessage> sent = broker.messages("order-events");
        assertThat(sent.size() + pendingIds.size()).as("every row is either on the topic or pending, not both")
                .isEqualTo(5_000);
        for (InboundMessage m : sent) {
            assertThat(pendingIds).doesNotContain(m.header(io.eventcore.EventHeaders.EVENT_ID));
        }
        assertThat(relay.status().running()).isFalse();
    }
}
