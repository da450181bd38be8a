package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.transport.EventPublisher;
import io.eventcore.InboundMessage;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Found by {@code ClusterFaultSuiteIT} (l): with two of three brokers down, kafka-clients expired an
 * earlier batch of a partition ({@code delivery.timeout.ms}, a transient {@code TimeoutException}) while a
 * later batch of the same partition was written once the brokers were back. The relay then had the later
 * rows of a key on the topic before the earlier row, which it sent again in the next pass: the topic's first
 * copies of that key are out of id order, although {@code docs/reliability.md} promises per-key order.
 * Here the transport is a fake that does the same, deterministically.
 */
class OutboxRelayOrderDefectTest {

    @Test
    @Disabled("defect: the relay's per-key order breaks when an earlier row fails asynchronously (transient) "
            + "and later rows of its key in the same round are acknowledged; see ClusterFaultSuiteIT (l). "
            + "oneInFlightPerKey(true) avoids it (the test below)")
    void transientAsyncFailure_ofAnEarlierRow_whileLaterRowsOfItsKeyGetThrough_keepsTheKeysOrderOnTheTopic() {
        assertThat(firstCopiesAfterAnExpiredFirstSend(false)).as("first copies of key a on the topic, in offset order")
                .containsExactly("a:1", "a:2", "a:3");
    }

    @Test
    void withOneRowInFlightPerKey_anEarlierRowsLateFailure_cannotPutLaterRowsOfItsKeyAheadOfIt() {
        assertThat(firstCopiesAfterAnExpiredFirstSend(true)).as("first copies of key a on the topic, in offset order")
                .containsExactly("a:1", "a:2", "a:3");
    }

    private static List<String> firstCopiesAfterAnExpiredFirstSend(boolean oneInFlightPerKey) {
        InMemoryOutboxStore store = InMemoryOutboxStore.create();
        InMemoryBroker broker = new InMemoryBroker();
        broker.createTopic("order-events", 1);
        EventPublisher target = broker.publisher();
        EventPublisher expiresTheFirstSend = new EventPublisher() {
            private boolean expired;

            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                if (!expired) {
                    // Like a producer batch that expires later, while the next batches get through: the
                    // failure arrives after the round has handed the key's later rows over.
                    expired = true;
                    return CompletableFuture.supplyAsync(() -> {
                        throw new CompletionException(new TimeoutException("expired after delivery.timeout.ms"));
                    }, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
                }
                return target.send(message);
            }

            @Override
            public void close() {
            }
        };
        store.inTransaction(tx -> store.append(tx, List.of(event("a", 1), event("a", 2), event("a", 3))));
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(expiresTheFirstSend)
                .retry(RetryPolicy.fixed(Duration.ofMillis(10))).oneInFlightPerKey(oneInFlightPerKey).build();
        Awaitility.await("all rows published").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    relay.publishPending();
                    return store.backlog().pending() == 0;
                });
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
