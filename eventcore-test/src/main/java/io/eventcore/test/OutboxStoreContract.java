package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxSignals;
import io.eventcore.outbox.OutboxStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link OutboxStore} passes, by SPI part: {@link OutboxRowsContract rows},
 * {@link OutboxLeasesContract leases}, {@link OutboxAdminContract admin} and, here, the
 * {@link OutboxSignals signals} and the relay end to end. The parts are a chain of abstract classes (a store's
 * test can extend only one class); extend this one and implement the hooks of
 * {@link OutboxContractSupport}. Every test is {@code final}; tests of optional capabilities run where the
 * store's {@link Features} declare them, and the suite checks that the store offers exactly those.
 *
 * <pre>{@code
 * class PostgresOutboxStoreTest extends OutboxStoreContract {
 *     protected Features features() { return Features.basic().withUnkeyedClaims(); }
 *     protected OutboxStore emptyStore() { ... }           // called before each test
 *     protected void appendCommitted(List<OutboxEvent> events) { ... }
 *     protected void appendRolledBack(List<OutboxEvent> events) { ... }
 * }
 * }</pre>
 */
public abstract class OutboxStoreContract extends OutboxAdminContract {
    /** How long the suite waits for a signal to arrive. */
    protected static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    /** A committed append runs the {@link OutboxSignals#onAppend append listeners}. */
    @Test
    public final void committedAppend_runsAppendListeners() {
        AtomicInteger woken = new AtomicInteger();
        store().onAppend(woken::incrementAndGet);
        appendCommitted(sequence("w", 0, 2));
        assertTrue(woken.get() >= 1, "a committed append wakes the listeners, but they ran " + woken + " times");
    }

    /** The store offers a hint channel if and only if {@link Features#hintChannel()} says so. */
    @Test
    public final void hintChannel_isOfferedExactlyAsDeclared() {
        assertEquals(features().hintChannel(), store().hints().isPresent(),
                "the store offers a hint channel if and only if its test declares one");
    }

    /**
     * A hint reaches a listener of the store's hint channel (skipped where the store has none).
     *
     * @throws Exception if the listener cannot be closed
     */
    @Test
    public final void hint_reachesAListener_whereTheStoreHasAChannel() throws Exception {
        assumeTrue(features().hintChannel(), "the store declares no hint channel");
        HintChannel channel = store().hints().orElseThrow();
        AtomicInteger heard = new AtomicInteger();
        AutoCloseable listening = channel.listen(heard::incrementAndGet);
        try {
            // The listener registers in the background and misses hints sent before: hint until one is heard.
            Awaitility.await("a hint reaches the listener").atMost(SIGNAL_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        channel.hintOthers();
                        return heard.get() > 0;
                    });
        } finally {
            listening.close();
        }
    }

    /** Two relays sharing the store publish every row once, each key in order, with the standard headers. */
    @Test
    public final void twoRelays_publishEverything_inPerKeyOrder() {
        int keys = 20;
        int perKey = 25;
        for (int i = 0; i < perKey; i++) {
            List<OutboxEvent> tx = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                tx.addAll(sequence("key-" + k, i, 1));
            }
            appendCommitted(tx);
        }
        InMemoryBroker broker = new InMemoryBroker();
        broker.createTopic("order-events", 4);
        OutboxPublisher a = OutboxPublisher.builder().store(store()).publisher(broker.publisher()).relayId("A")
                .batchSize(37).build();
        OutboxPublisher b = OutboxPublisher.builder().store(store()).publisher(broker.publisher()).relayId("B")
                .batchSize(37).build();
        int published = 0;
        for (int round = 0; round < 50 && store().backlog().pending() > 0; round++) {
            published += a.publishPending();
            published += b.publishPending();
        }
        assertEquals(keys * perKey, published);
        assertEquals(0, store().backlog().pending());
        List<InboundMessage> messages = broker.messages("order-events");
        assertEquals(keys * perKey, messages.size(), "nothing lost, nothing doubled");
        assertPerKeyOrder(messages);
        InboundMessage first = messages.get(0);
        assertEquals("Step", first.header(EventHeaders.EVENT_TYPE));
        assertEquals("Order", first.header(EventHeaders.AGGREGATE_TYPE));
        assertEquals(first.keyAsString(), first.header(EventHeaders.AGGREGATE_ID));
        assertNotNull(first.header(EventHeaders.EVENT_ID));
        assertNotNull(first.header(EventHeaders.PRODUCED_AT));
    }

    private static void assertPerKeyOrder(List<InboundMessage> messages) {
        Map<String, List<Integer>> byKey = messages.stream().collect(Collectors.groupingBy(
                InboundMessage::keyAsString, Collectors.mapping(m -> Integer.parseInt(new String(m.value(),
                        StandardCharsets.UTF_8).split(":")[1]), Collectors.toList())));
        for (List<Integer> seq : byKey.values()) {
            List<Integer> sorted = new ArrayList<>(seq);
            sorted.sort(Integer::compare);
            assertEquals(sorted, seq, "per-key order");
        }
    }
}
