package io.eventcore.test;

import org.awaitility.Awaitility;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.deadletter.DeadLetter;
import io.eventcore.Event;
import io.eventcore.codec.EventCodec;
import io.eventcore.transport.EventConsumer;
import io.eventcore.EventContext;
import io.eventcore.EventHeaders;
import io.eventcore.transport.EventPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionFencedException;
import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract every transport (publisher + consumer pair) passes. Extend it, implement the three
 * factory methods, and run it: the tests are {@code final}.
 *
 * <pre>{@code
 * class KafkaTransportTest extends TransportContract {
 *     protected String createTopic() { ... }
 *     protected EventPublisher createPublisher() { ... }
 *     protected EventConsumer createConsumer(String topic, String group, EventRouter router) { ... }
 * }
 * }</pre>
 *
 * <p>Events are {@link Sample} payloads: a key and a per-key sequence number.
 */
public abstract class TransportContract {
    /** @return the bound of every wait in the suite (override for slow transports); defaults to 30 seconds */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * A capability flag: share groups and other queues hand any record to any member, in no order.
     *
     * @return whether the consumer keeps each key's order and redelivers from the first unacknowledged record on
     *     (consumer groups); {@code false} skips the ordering tests; defaults to {@code true}
     */
    protected boolean ordered() {
        return true;
    }

    /** @return a new, empty topic name (created if the transport needs that) */
    protected abstract String createTopic();

    /** @return a publisher; closed by the contract after each test */
    protected abstract EventPublisher createPublisher();

    /**
     * @param topic topic to consume
     * @param group consumer group
     * @param router where to dispatch
     * @return a consumer, not yet started; closed by the contract
     */
    protected abstract EventConsumer createConsumer(String topic, String group, EventRouter router);

    /**
     * The payload the contract publishes.
     *
     * @param key ordering key
     * @param seq sequence number within the key
     */
    public record Sample(String key, int seq) {
    }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final EventCodec codec = EventCodec.json();

    @AfterEach
    final void closeResources() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable r = resources.get(i);
            if (r instanceof EventConsumer c) {
                c.close(Duration.ofSeconds(5));
            } else {
                r.close();
            }
        }
        resources.clear();
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private EventConsumer start(String topic, String group, EventRouter router) {
        track(router);
        EventConsumer consumer = track(createConsumer(topic, group, router));
        consumer.start();
        return consumer;
    }

    private List<Event<Sample>> publish(String topic, int keys, int perKey) {
        EventPublisher publisher = track(createPublisher());
        List<Event<Sample>> events = new ArrayList<>();
        List<OutboundMessage> batch = new ArrayList<>();
        for (int seq = 0; seq < perKey; seq++) {
            for (int k = 0; k < keys; k++) {
                Event<Sample> e = Event.of("Sample", "key-" + k, new Sample("key-" + k, seq));
                events.add(e);
                batch.add(OutboundMessage.of(topic, e, codec));
            }
        }
        publisher.sendAll(batch).toCompletableFuture().join();
        return events;
    }

    /** Every published event reaches the handler once at least, with the id, key and payload it was published with. */
    @Test
    public final void everyPublishedEvent_isHandled_withItsIdKeyAndPayload() {
        String topic = createTopic();
        EventCollector<Sample> collector = new EventCollector<>();
        start(topic, "contract-all", EventRouter.builder().route("Sample", Sample.class, collector).build());
        List<Event<Sample>> sent = publish(topic, 10, 20);

        collector.awaitCount(sent.size(), timeout());
        Map<String, Event<Sample>> received = collector.events().stream()
                .collect(Collectors.toMap(Event::id, e -> e, (a, b) -> a));
        for (Event<Sample> e : sent) {
            Event<Sample> got = received.get(e.id());
            assertTrue(got != null, "event " + e.id() + " was never handled");
            assertEquals(e.key(), got.key());
            assertEquals(e.payload(), got.payload());
            assertEquals(e.occurredAt(), got.occurredAt());
        }
    }

    /** Events of one key are handled in the order they were published. */
    @Test
    public final void eventsOfOneKey_areHandledInPublishOrder() {
        Assumptions.assumeTrue(ordered(), "the consumer declares no ordering");
        String topic = createTopic();
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        EventRouter router = EventRouter.builder().route("Sample", Sample.class, (event, ctx) ->
                seen.computeIfAbsent(event.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(event.payload().seq())).build();
        start(topic, "contract-order", router);
        publish(topic, 8, 50);

        Awaitility.await("400 events handled").atMost(timeout()).pollInterval(Duration.ofMillis(5))
                .until(() -> seen.values().stream().mapToInt(List::size).sum() >= 400);
        for (Map.Entry<String, List<Integer>> e : seen.entrySet()) {
            List<Integer> seqs = new ArrayList<>(e.getValue());
            List<Integer> sorted = new ArrayList<>(seqs);
            sorted.sort(null);
            assertEquals(sorted, seqs, "order of key " + e.getKey());
        }
    }

    /** A batch route gets runs in key order; a named failure retries that event alone; each event handled once. */
    @Test
    public final void batchRoute_keepsKeyOrder_andANamedFailureRetriesOnlyThatEvent() {
        Assumptions.assumeTrue(ordered(), "the consumer declares no ordering");
        String topic = createTopic();
        Map<String, List<Integer>> done = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger largest = new java.util.concurrent.atomic.AtomicInteger();
        publish(topic, 6, 30);
        start(topic, "contract-batch", EventRouter.builder().retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3))
                .routeBatch("Sample", Sample.class, (events, ctx) -> {
                    largest.accumulateAndGet(events.size(), Math::max);
                    for (int i = 0; i < events.size(); i++) {
                        Sample s = events.get(i).payload();
                        if (s.key().equals("key-1") && s.seq() == 7 && failedOnce.compareAndSet(false, true)) {
                            throw new io.eventcore.BatchFailedException(i, new IllegalStateException("once"));
                        }
                        done.computeIfAbsent(s.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(s.seq());
                    }
                }).build());

        Awaitility.await("180 events handled").atMost(timeout()).pollInterval(Duration.ofMillis(5))
                .until(() -> done.values().stream().mapToInt(List::size).sum() >= 180);
        List<Integer> all = java.util.stream.IntStream.range(0, 30).boxed().toList();
        for (int k = 0; k < 6; k++) {
            assertEquals(all, new ArrayList<>(done.get("key-" + k)), "key-" + k + ": each once, in order");
        }
        assertTrue(failedOnce.get(), "the named failure happened");
        assertTrue(largest.get() > 1, "events came in batches, the largest had " + largest.get());
    }

    /** Headers set on the published event arrive at the handler unchanged. */
    @Test
    public final void customHeaders_reachTheHandler() {
        String topic = createTopic();
        ConcurrentLinkedQueue<EventContext> contexts = new ConcurrentLinkedQueue<>();
        EventCollector<Sample> collector = new EventCollector<>();
        start(topic, "contract-headers", EventRouter.builder().route("Sample", Sample.class, (e, ctx) -> {
            contexts.add(ctx);
            collector.handle(e, ctx);
        }).build());
        Event<Sample> event = Event.of("Sample", "k", new Sample("k", 1))
                .withHeaders(Map.of(EventHeaders.TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        EventPublisher publisher = track(createPublisher());
        publisher.send(OutboundMessage.of(topic, event, codec)).toCompletableFuture().join();

        Event<Sample> got = collector.awaitCount(1, timeout()).get(0);
        assertEquals(event.id(), got.id());
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", got.headers().get(EventHeaders.TRACEPARENT));
        EventContext ctx = contexts.peek();
        assertEquals(topic, ctx.message().topic());
        assertEquals("contract-headers", ctx.message().consumerGroup());
        assertTrue(ctx.message().offset() >= 0, "offset reported");
    }

    /** A value the codec cannot decode is dead-lettered with its original bytes, and later events still flow. */
    @Test
    public final void undecodableValue_isDeadLetteredWithItsBytes_andConsumptionContinues() {
        String topic = createTopic();
        InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
        EventCollector<Sample> collector = new EventCollector<>();
        start(topic, "contract-poison", EventRouter.builder().route("Sample", Sample.class, collector)
                .deadLetter(dlq).build());
        EventPublisher publisher = track(createPublisher());
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
        publisher.send(new OutboundMessage(topic, "k", garbage, List.of(MessageHeader.of(EventHeaders.EVENT_TYPE,
                "Sample")))).toCompletableFuture().join();
        publish(topic, 1, 3);

        collector.awaitCount(3, timeout());
        DeadLetter letter = dlq.awaitCount(1, timeout()).get(0);
        assertEquals("{not json", letter.valueAsString());
        assertEquals(topic, letter.topic());
        assertEquals("k", new String(letter.key(), StandardCharsets.UTF_8));
    }

    /** An event whose handling never completed is delivered again to the consumer that takes over. */
    @Test
    public final void unacknowledgedEvent_isRedeliveredToTheNextConsumer() {
        String topic = createTopic();
        List<Event<Sample>> sent = publish(topic, 1, 10);
        Set<Integer> firstRun = ConcurrentHashMap.newKeySet();
        // No dead-letter sink and no retries: seq 5 ends FAILED and must stay unacknowledged.
        EventConsumer first = start(topic, "contract-redeliver", EventRouter.builder()
                .route("Sample", Sample.class, (e, ctx) -> {
                    if (e.payload().seq() == 5) {
                        throw new IllegalStateException("down");
                    }
                    firstRun.add(e.payload().seq());
                }).retry(RetryPolicy.none()).build());
        Awaitility.await("first run sees events 0 to 4").atMost(timeout()).pollInterval(Duration.ofMillis(5))
                .until(() -> firstRun.containsAll(Set.of(0, 1, 2, 3, 4)));
        first.close(Duration.ofSeconds(5));

        EventCollector<Sample> second = new EventCollector<>();
        start(topic, "contract-redeliver", EventRouter.builder().route("Sample", Sample.class, second).build());
        // Ordered: from the unacknowledged record on. A queue: that record alone, as the others were acknowledged.
        List<Integer> expected = ordered() ? List.of(5, 6, 7, 8, 9) : List.of(5);
        List<Integer> redelivered = second.awaitCount(expected.size(), timeout()).stream().map(e -> e.payload().seq())
                .toList();
        assertTrue(redelivered.containsAll(expected), "redelivered " + redelivered);
        Set<String> handled = new java.util.HashSet<>();
        second.events().forEach(e -> handled.add(e.id()));
        for (Event<Sample> e : sent) {
            assertTrue(handled.contains(e.id()) || firstRun.contains(e.payload().seq()), "lost " + e);
        }
    }

    /** Events acknowledged before a restart are not delivered again after it. */
    @Test
    public final void acknowledgedEvents_areNotRedelivered() {
        String topic = createTopic();
        publish(topic, 2, 5);
        EventCollector<Sample> first = new EventCollector<>();
        EventConsumer consumer = start(topic, "contract-acked", EventRouter.builder()
                .route("Sample", Sample.class, first).build());
        first.awaitCount(10, timeout());
        consumer.close(Duration.ofSeconds(5));

        EventCollector<Sample> second = new EventCollector<>();
        start(topic, "contract-acked", EventRouter.builder().route("Sample", Sample.class, second).build());
        publish(topic, 1, 1);
        second.awaitCount(1, timeout());
        assertEquals(List.of(new Sample("key-0", 0)), second.payloads(), "only the new event arrives");
    }

    /** A route in redeliver mode is retried through the transport, with the attempt count carried along. */
    @Test
    public final void redeliverMode_retriesThroughTheTransport_countingAttempts() {
        String topic = createTopic();
        Map<Integer, Integer> attemptsSeen = new HashMap<>();
        EventCollector<Sample> done = new EventCollector<>();
        start(topic, "contract-retry-later", EventRouter.builder().route("Sample", Sample.class, (e, ctx) -> {
            synchronized (attemptsSeen) {
                attemptsSeen.merge(e.payload().seq(), 1, Integer::sum);
            }
            if (ctx.attempt() < 3) {
                throw new IllegalStateException("transient, attempt " + ctx.attempt());
            }
            done.handle(e, ctx);
        }).retry(RetryPolicy.fixed(Duration.ofMillis(50)).maxAttempts(3).mode(RetryMode.REDELIVER)).build());
        publish(topic, 1, 2);

        done.awaitCount(2, timeout());
        synchronized (attemptsSeen) {
            assertEquals(Map.of(0, 3, 1, 3), attemptsSeen, "three attempts per event");
        }
    }


    private Transactions transactionsOrSkip() {
        EventPublisher publisher = track(createPublisher());
        Optional<Transactions> tx = publisher.transactions();
        Assumptions.assumeTrue(tx.isPresent(), "the publisher offers no transactions");
        return tx.get();
    }

    private OutboundMessage sample(String topic, String key, int seq) {
        return OutboundMessage.of(topic, Event.of("Sample", key, new Sample(key, seq)), codec);
    }

    /** Committed messages are handled, aborted ones never; the position committed with them is read back. */
    @Test
    public final void transactions_committedAreHandled_abortedNever_andThePositionTravelsWithTheCommit() {
        Transactions transactions = transactionsOrSkip();
        String topic = createTopic();
        String streamId = "contract-" + java.util.UUID.randomUUID();
        EventCollector<Sample> collector = new EventCollector<>();
        start(topic, "contract-tx", EventRouter.builder().route("Sample", Sample.class, collector).build());
        try (TransactionalStream stream = transactions.open(streamId)) {
            assertEquals(Optional.empty(), stream.position(), "a new stream has no position");
            PublishTransaction aborted = stream.begin();
            aborted.send(sample(topic, "a", 0)).toCompletableFuture().join();
            aborted.abort();
            PublishTransaction committed = stream.begin();
            committed.send(sample(topic, "a", 1)).toCompletableFuture().join();
            committed.send(sample(topic, "b", 2)).toCompletableFuture().join();
            committed.commit("p-1").toCompletableFuture().join();
            assertEquals(Optional.of("p-1"), stream.position());
            // A marker after both: once it is handled, everything before it on its partition was read too.
            PublishTransaction marker = stream.begin();
            marker.send(sample(topic, "a", 3)).toCompletableFuture().join();
            marker.send(sample(topic, "b", 4)).toCompletableFuture().join();
            marker.commit("p-2").toCompletableFuture().join();
        }
        collector.awaitCount(4, timeout());
        assertEquals(Set.of(1, 2, 3, 4), collector.payloads().stream().map(Sample::seq).collect(Collectors.toSet()),
                "the aborted message (seq 0) is never handled");
        try (TransactionalStream reopened = transactions.open(streamId)) {
            assertEquals(Optional.of("p-2"), reopened.position(), "the last committed position");
        }
    }

    /** Opening a stream id again fences the earlier holder: its open transaction never becomes visible. */
    @Test
    public final void transactions_openingAStreamAgain_fencesTheEarlierHolder() {
        Transactions transactions = transactionsOrSkip();
        String topic = createTopic();
        String streamId = "contract-" + java.util.UUID.randomUUID();
        EventCollector<Sample> collector = new EventCollector<>();
        start(topic, "contract-tx-fence", EventRouter.builder().route("Sample", Sample.class, collector).build());
        try (TransactionalStream zombie = transactions.open(streamId)) {
            PublishTransaction stale = zombie.begin();
            stale.send(sample(topic, "z", 0)).toCompletableFuture().exceptionally(e -> null).join();
            try (TransactionalStream successor = transactions.open(streamId)) {
                Throwable failure = stale.commit("zombie").toCompletableFuture().handle((ok, e) -> e).join();
                assertTrue(failure != null, "the fenced holder's commit must fail");
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                assertTrue(cause instanceof TransactionFencedException, "fenced, but was " + cause);
                PublishTransaction live = successor.begin();
                live.send(sample(topic, "z", 1)).toCompletableFuture().join();
                live.commit("successor").toCompletableFuture().join();
            }
        }
        collector.awaitCount(1, timeout());
        Awaitility.await().during(Duration.ofMillis(500)).atMost(timeout()).until(() -> collector.payloads().size() == 1);
        assertEquals(List.of(new Sample("z", 1)), collector.payloads(), "only the successor's message");
        try (TransactionalStream reopened = transactions.open(streamId)) {
            assertEquals(Optional.of("successor"), reopened.position());
        }
    }
}
