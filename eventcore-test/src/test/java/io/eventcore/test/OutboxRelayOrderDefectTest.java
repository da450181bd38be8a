package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.transport.EventPublisher;
import io.eventcore.InboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import io.eventcore.transport.Transactions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Found by {@code ClusterFaultSuiteIT} (l): with two of three brokers down, kafka-clients expired an
 * earlier batch of a partition ({@code delivery.timeout.ms}, a transient {@code TimeoutException}) while a
 * later batch of the same partition was written once the brokers were back. The relay then had the later
 * rows of a key on the topic before the earlier row, which it sent again in the next pass: the topic's first
 * copies of that key are out of id order, although {@code docs/reliability.md} promises per-key order.
 * Here the transport is a fake that does the same, deterministically: the in-memory broker, whose first send
 * (with or without a transaction) fails 200 ms late.
 *
 * <p>Fixed by the transactional relay, the default whenever the publisher offers transactions: the failed send
 * aborts the shard's transaction, so the key's later rows are never visible ahead of it. The same relay switched
 * to {@code transactional(false)} still shows the defect (the second test), which {@code oneInFlightPerKey(true)}
 * avoids.
 */
class OutboxRelayOrderDefectTest {

    /** How the relay under test is configured. */
    private enum Mode { DEFAULT, NON_TRANSACTIONAL, NON_TRANSACTIONAL_ONE_IN_FLIGHT_PER_KEY }

    @Test
    void transientAsyncFailure_ofAnEarlierRow_whileLaterRowsOfItsKeyGetThrough_keepsTheKeysOrderOnTheTopic() {
        assertThat(firstCopiesAfterAnExpiredFirstSend(Mode.DEFAULT)).as("first copies of key a on the topic, in offset order")
                .containsExactly("a:1", "a:2", "a:3");
    }

    @Test
    void nonTransactionalRelay_putsTheLaterRowsOfTheKeyFirst_theDefectTheTransactionsFix() {
        assertThat(firstCopiesAfterAnExpiredFirstSend(Mode.NON_TRANSACTIONAL))
                .as("without transactions, a:2 and a:3 are acknowledged while a:1 fails late")
                .containsExactly("a:2", "a:3", "a:1");
    }

    @Test
    void withOneRowInFlightPerKey_anEarlierRowsLateFailure_cannotPutLaterRowsOfItsKeyAheadOfIt() {
        assertThat(firstCopiesAfterAnExpiredFirstSend(Mode.NON_TRANSACTIONAL_ONE_IN_FLIGHT_PER_KEY))
                .as("first copies of key a on the topic, in offset order").containsExactly("a:1", "a:2", "a:3");
    }

    /** Fails like a producer batch that expires later, while the next batches get through. */
    private static CompletionStage<PublishReceipt> expireLater() {
        return CompletableFuture.supplyAsync(() -> {
            throw new CompletionException(new TimeoutException("expired after delivery.timeout.ms"));
        }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
    }

    private static List<String> firstCopiesAfterAnExpiredFirstSend(Mode mode) {
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        InMemoryBroker broker = new InMemoryBroker();
        broker.createTopic("order-events", 1);
        EventPublisher target = broker.publisher();
        AtomicBoolean expired = new AtomicBoolean();
        // The failure arrives after the round has handed the key's later rows over.
        Transactions expiringTransactions = Forwarding.transactions(broker, (id, tx) -> Forwarding.sending(tx,
                (message, inner) -> expired.compareAndSet(false, true) ? expireLater() : inner.send(message)));
        EventPublisher expiresTheFirstSend = Forwarding.publisher(
                message -> expired.compareAndSet(false, true) ? expireLater() : target.send(message),
                expiringTransactions, null);
        store.inTransaction(tx -> store.append(tx, List.of(event("a", 1), event("a", 2), event("a", 3))));
        OutboxPublisher.Builder builder = OutboxPublisher.builder().store(store).publisher(expiresTheFirstSend)
                .retry(RetryPolicy.fixed(Duration.ofMillis(10)));
        if (mode != Mode.DEFAULT) {
            builder.transactional(false).oneInFlightPerKey(mode == Mode.NON_TRANSACTIONAL_ONE_IN_FLIGHT_PER_KEY);
        }
        OutboxPublisher relay = builder.build();
        assertThat(relay.transactional()).as("transactional relay").isEqualTo(mode == Mode.DEFAULT);
        Awaitility.await("all rows published").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    relay.publishPending();
                    return store.backlog().pending() == 0;
                });
        assertThat(expired).as("the first send expired").isTrue();
        List<String> firstCopies = new ArrayList<>();
        for (InboundMessage m : broker.messages("order-events")) {
            String value = new String(m.value(), StandardCharsets.UTF_8);
            if (!firstCopies.contains(value)) {
                firstCopies.add(value);
            }
        }
        return firstCopies;
    }

    private static OutboxEvent event(String key, int seq) {
        return OutboxEvent.builder("Order", key).rawPayload("Step", (key + ":" + seq).getBytes(StandardCharsets.UTF_8))
                .build();
    }
}
