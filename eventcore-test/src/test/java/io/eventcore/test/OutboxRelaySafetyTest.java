package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.NonRetryableException;
import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.outbox.HintChannel;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxMetrics;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxRecord;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The relay's safety rules of issue 13 (relay side), on the in-memory store. */
class OutboxRelaySafetyTest {
    private final ManualClock clock = new ManualClock();
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create(4, EventCodec.json(), clock);
    private final InMemoryBroker broker = new InMemoryBroker();

    private static OutboxEvent event(String type, String key, String value) {
        return OutboxEvent.builder(type, key).rawPayload("Step", value.getBytes(StandardCharsets.UTF_8)).build();
    }

    private void append(String type, String key, String value) {
        store.inTransaction(tx -> store.append(tx, event(type, key, value)));
    }

    /** Routes by aggregate type: Null gives null, Blank a blank topic, Boom throws, Secret {@code secret}. */
    private static String route(String eventType, String aggregateType, String key) {
        return switch (aggregateType) {
            case "Null" -> null;
            case "Blank" -> "  ";
            case "Boom" -> throw new IllegalStateException("naming backend down");
            case "Secret" -> "secret";
            default -> "orders";
        };
    }

    @Test
    void unroutableRows_nullBlankOrThrowingNaming_dieAtOnce_andTheRestOfTheBatchIsSettled() {
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher()).clock(clock)
                .topicNaming(OutboxRelaySafetyTest::route).deadLetter(sink).build();
        append("Null", "n", "n");
        append("Blank", "b", "b");
        append("Boom", "x", "x");
        for (int i = 0; i < 10; i++) {
            append("Order", "k" + i, "o" + i);
        }
        assertThat(relay.publishPending()).isEqualTo(10);
        relay.publishPending();
        assertThat(broker.messages("orders")).as("each routable row once").hasSize(10);
        assertThat(store.pending()).isEmpty();
        assertThat(store.deadRecords(10)).as("dead at the first attempt, default retry notwithstanding")
                .hasSize(3).allSatisfy(r -> assertThat(r.attempts()).isEqualTo(1));
        assertThat(sink.deadLetters()).hasSize(3)
                .allSatisfy(d -> assertThat(d.topic()).isEqualTo("eventcore-outbox-unroutable"));
    }

    @Test
    void errorThrownByTheDeadLetterSink_isAFailureOfThatWrite_andTheRelayGoesOn() {
        DeadLetterSink broken = d -> {
            throw new AssertionError("sink bug");
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher()).clock(clock)
                .topicNaming(OutboxRelaySafetyTest::route).deadLetter(broken).build();
        append("Null", "n", "n");
        append("Order", "k", "1");
        assertThat(relay.publishPending()).isEqualTo(1);
        assertThat(store.deadRecords(10)).as("the dead table keeps it").hasSize(1);
        append("Order", "k", "2");
        assertThat(relay.publishPending()).isEqualTo(1);
    }

    @Test
    void errorEscapingAPass_endsTheRelay_whichReportsItselfUnhealthyWithTheCause() {
        InMemoryOutboxStore real = InMemoryOutboxStore.create();
        ForwardingOutboxStore failing = new ForwardingOutboxStore(real) {
            @Override
            public List<OutboxRecord> fetch(OutboxLease lease, Instant now, int limit) {
                throw new NoClassDefFoundError("org/h2/Driver");
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(failing).publisher(broker.publisher())
                .relayId("doomed").build();
        relay.start();
        try {
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> !relay.status().running());
            assertThat(relay.status().healthy()).isFalse();
            assertThat(relay.status().lastError()).contains("relay thread died").contains("NoClassDefFoundError");
            assertThat(relayThread("doomed")).isFalse();
        } finally {
            relay.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void interruptedRelay_stopsAndSaysSo() {
        OutboxPublisher relay = OutboxPublisher.builder().store(InMemoryOutboxStore.create())
                .publisher(broker.publisher()).relayId("interrupted").build();
        relay.start();
        try {
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> relayThread("interrupted"));
            Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("eventcore-outbox-interrupted")).forEach(Thread::interrupt);
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> !relay.status().running());
            assertThat(relay.status().healthy()).isFalse();
            assertThat(relay.status().lastError()).contains("interrupted");
        } finally {
            relay.close(Duration.ofSeconds(1));
        }
    }

    private static boolean relayThread(String relayId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("eventcore-outbox-" + relayId) && t.isAlive());
    }

    /** Hints between stores of one test: a hint reaches the listeners of every other store. */
    private static final class HintBus {
        final AtomicInteger hints = new AtomicInteger();
        final List<Object[]> listeners = new CopyOnWriteArrayList<>();

        HintChannel channel() {
            Object self = new Object();
            return new HintChannel() {
                @Override
                public void hintOthers() {
                    hints.incrementAndGet();
                    listeners.stream().filter(l -> l[0] != self).forEach(l -> ((Runnable) l[1]).run());
                }

                @Override
                public AutoCloseable listen(Runnable listener) {
                    Object[] entry = {self, listener};
                    listeners.add(entry);
                    return () -> listeners.remove(entry);
                }
            };
        }
    }

    @Test
    void relayWokenByAnotherRelaysHint_doesNotHintAgain() throws Exception {
        InMemoryOutboxStore real = InMemoryOutboxStore.create();
        HintBus bus = new HintBus();
        ForwardingOutboxStore a = new ForwardingOutboxStore(real);
        ForwardingOutboxStore b = new ForwardingOutboxStore(real);
        a.hints = bus.channel();
        b.hints = bus.channel();
        OutboxPublisher relayA = OutboxPublisher.builder().store(a).publisher(broker.publisher()).relayId("a").build();
        OutboxPublisher relayB = OutboxPublisher.builder().store(b).publisher(broker.publisher()).relayId("b").build();
        relayA.start();
        relayB.start();
        try {
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> relayA.status().shards().size() == 8
                    && relayB.status().shards().size() == 8);
            Thread.sleep(200);
            bus.hints.set(0);
            a.fireAppend(); // a local append in A's process
            Thread.sleep(1000);
            assertThat(bus.hints).as("A hints B once; B, woken by the hint, does not hint back").hasValue(1);
        } finally {
            relayA.close(Duration.ofSeconds(1));
            relayB.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void purge_keepsGoingEveryPass_whenADeadRowExpiresBesideAFullBatchOfPublishedRows() {
        AtomicInteger publishedPurges = new AtomicInteger();
        ForwardingOutboxStore keeping = new ForwardingOutboxStore(store) {
            @Override
            public int purgeDead(Instant cutoff, int limit) {
                return 1; // one dead row expired
            }

            @Override
            public int purgePublished(Instant cutoff, int limit) {
                publishedPurges.incrementAndGet();
                return limit; // a full batch: more to purge
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(keeping).publisher(broker.publisher()).clock(clock)
                .publishedRetention(Duration.ofDays(1)).purgeBatch(10).build();
        for (int pass = 0; pass < 3; pass++) {
            relay.publishPending();
        }
        assertThat(publishedPurges).as("a purge per pass while batches come back full").hasValue(3);
    }

    @Test
    void unkeyedDeadRow_reachesTheSinkOnlyAfterTheClaimCommits() {
        List<Integer> deadTableSizeSeenBySink = new CopyOnWriteArrayList<>();
        DeadLetterSink sink = d -> deadTableSizeSeenBySink.add(store.deadRecords(10).size());
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher()).clock(clock)
                .topicNaming(OutboxRelaySafetyTest::route).deadLetter(sink).build();
        append("Null", null, "unkeyed");
        append("Order", null, "fine");
        relay.publishPending();
        assertThat(broker.messages("orders")).hasSize(1);
        assertThat(deadTableSizeSeenBySink).as("the claim had settled the row when the sink saw it")
                .containsExactly(1);
    }

    /** Fails sends to {@code secret} as a transient-classified authorization error; {@code slow} is never acked. */
    private final class PickyPublisher implements EventPublisher {
        final EventPublisher target = broker.publisher();

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            if (message.topic().equals("secret")) {
                return CompletableFuture.failedFuture(new IllegalStateException("Not authorized to access topics: "
                        + "[secret]"));
            }
            if (message.topic().equals("slow")) {
                return new CompletableFuture<>();
            }
            return target.send(message);
        }

        @Override
        public boolean isTransient(Throwable failure) {
            return failure instanceof IllegalStateException || !(failure instanceof NonRetryableException);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void transientFailureOfOneTopic_whileOthersArePublished_countsAsAttempts_thenTheRowDies() {
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(new PickyPublisher()).clock(clock)
                .topicNaming(OutboxRelaySafetyTest::route).deadLetter(sink)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3)).build();
        append("Secret", "s", "s1");
        append("Secret", "s", "s2");
        for (int round = 0; round < 3; round++) {
            append("Order", "k" + round, "o" + round);
            relay.publishPending();
            clock.advance(Duration.ofSeconds(2));
        }
        assertThat(store.deadRecords(10)).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(3));
        assertThat(sink.deadLetters()).singleElement().satisfies(d -> assertThat(d.topic()).isEqualTo("secret"));
        assertThat(store.pending()).as("the key is not blocked forever: its next row comes up")
                .singleElement().satisfies(r -> assertThat(new String(r.payload(), StandardCharsets.UTF_8))
                        .isEqualTo("s2"));
    }

    @Test
    void unacknowledgedSend_isNeverCountedAgainstTheRow_evenWhenOthersArePublished() {
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(new PickyPublisher()).clock(clock)
                .topicNaming((type, aggregate, key) -> aggregate.equals("Slow") ? "slow" : "orders")
                .retry(RetryPolicy.none()).sendTimeout(Duration.ofMillis(100)).build();
        append("Slow", "s", "maybe delivered");
        append("Order", "k", "o");
        relay.publishPending();
        assertThat(broker.messages("orders")).hasSize(1);
        assertThat(store.deadRecords(10)).isEmpty();
        assertThat(store.pending()).singleElement().satisfies(r -> assertThat(r.attempts()).isZero());
    }

    @Test
    void onePass_holdsAtMost64MiBOfPayload() {
        InMemoryOutboxStore big = InMemoryOutboxStore.create(16, EventCodec.json(), clock);
        byte[] mib = new byte[1 << 20];
        for (int i = 0; i < 72; i++) {
            OutboxEvent e = OutboxEvent.builder("Order", "k" + i).rawPayload("Blob", mib).build();
            big.inTransaction(tx -> big.append(tx, e));
        }
        AtomicInteger largestRound = new AtomicInteger();
        AtomicInteger published = new AtomicInteger();
        OutboxMetrics metrics = new OutboxMetrics() {
            @Override
            public void batchPublished(int size, int ok, Duration elapsed) {
                largestRound.accumulateAndGet(size, Math::max);
                published.addAndGet(ok);
            }
        };
        EventPublisher discard = new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                return CompletableFuture.completedFuture(new PublishReceipt(message.topic(), 0, 0));
            }

            @Override
            public void close() {
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(big).publisher(discard).clock(clock)
                .metrics(metrics).build();
        assertThat(relay.publishPending()).isEqualTo(72);
        assertThat(largestRound.get()).as("rows of 1 MiB in one pass").isBetween(1, 64);
        assertThat(published).hasValue(72);
    }

    @Test
    void closedRelay_unregistersItsAppendListener() {
        OutboxPublisher idle = OutboxPublisher.builder().store(store).publisher(broker.publisher()).build();
        OutboxPublisher started = OutboxPublisher.builder().store(store).publisher(broker.publisher()).build();
        started.start();
        assertThat(store.appendListenerCount()).isEqualTo(2);
        idle.close(Duration.ofSeconds(1));
        started.close(Duration.ofSeconds(1));
        assertThat(store.appendListenerCount()).isZero();
    }
}
