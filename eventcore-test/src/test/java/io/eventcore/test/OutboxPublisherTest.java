package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxMetrics;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.transport.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class OutboxPublisherTest {
    private final ManualClock clock = new ManualClock();
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create(4, io.eventcore.codec.EventCodec.json(), clock);
    private final InMemoryBroker broker = new InMemoryBroker();

    /** Fails messages whose value is {@code poison} as a bad message, everything while {@code down} as an outage. */
    private final class FlakyPublisher implements EventPublisher {
        volatile boolean down;
        final EventPublisher target = broker.publisher();

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            if (down) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            }
            if (new String(message.value(), StandardCharsets.UTF_8).equals("poison")) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("record too large"));
            }
            return target.send(message);
        }

        @Override
        public boolean isTransient(Throwable failure) {
            return failure instanceof IllegalStateException;
        }

        @Override
        public void close() {
        }
    }

    private void append(String key, String... values) {
        List<OutboxEvent> events = new ArrayList<>();
        for (String v : values) {
            events.add(OutboxEvent.builder("Order", key).rawPayload("Step", v.getBytes(StandardCharsets.UTF_8)).build());
        }
        store.inTransaction(tx -> store.append(tx, events));
    }

    private List<String> values(String key) {
        return broker.messages("order-events").stream().filter(m -> key.equals(m.keyAsString()))
                .map(m -> new String(m.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void poisonRow_isRetriedWithBackoff_thenDead_whileOtherKeysFlow() {
        FlakyPublisher publisher = new FlakyPublisher();
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(publisher).clock(clock)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(10)).maxAttempts(3)).deadLetter(sink).build();
        append("bad", "poison", "after-1", "after-2");
        append("good", "g-1", "g-2");

        assertThat(relay.publishPending()).isEqualTo(2);
        assertThat(values("good")).containsExactly("g-1", "g-2");
        assertThat(values("bad")).isEmpty();
        assertThat(store.pending()).hasSize(3).first().satisfies(r -> assertThat(r.attempts()).isEqualTo(1));

        append("good", "g-3");
        assertThat(relay.publishPending()).as("the bad key waits out its back-off; others flow").isEqualTo(1);
        clock.advance(Duration.ofSeconds(11));
        relay.publishPending();
        assertThat(store.pending().get(0).attempts()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(11));
        relay.publishPending();

        assertThat(values("bad")).as("rows behind the dead row flow, in order").containsExactly("after-1", "after-2");
        assertThat(store.deadRecords(10)).singleElement().satisfies(r -> {
            assertThat(r.attempts()).isEqualTo(3);
            assertThat(r.lastError()).contains("record too large");
        });
        assertThat(sink.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.valueAsString()).isEqualTo("poison");
            assertThat(d.topic()).isEqualTo("order-events");
            assertThat(d.handlerName()).isEqualTo("outbox-relay");
            assertThat(d.exceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
        });
        assertThat(relay.status().dead()).isEqualTo(1);
        assertThat(relay.status().retried()).isEqualTo(2);
    }

    @Test
    void brokerOutage_isNotCountedAgainstRows_andEverythingFlowsAfterwards() {
        FlakyPublisher publisher = new FlakyPublisher();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(publisher).clock(clock)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(1)).build();
        append("k", "1", "2", "3");
        publisher.down = true;
        for (int i = 0; i < 5; i++) {
            assertThat(relay.publishPending()).isZero();
        }
        assertThat(store.pending()).hasSize(3).allSatisfy(r -> assertThat(r.attempts()).isZero());
        assertThat(store.deadRecords(10)).isEmpty();
        assertThat(relay.status().lastError()).contains("broker down");
        publisher.down = false;
        assertThat(relay.publishPending()).isEqualTo(3);
        assertThat(values("k")).containsExactly("1", "2", "3");
        assertThat(relay.status().lastError()).isNull();
    }

    @Test
    void startedRelay_wakesOnCommit_andSurvivesAStoreOutage() {
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher())
                .minPollInterval(Duration.ofMillis(1)).maxPollInterval(Duration.ofMinutes(10)).build();
        relay.start();
        try {
            // The idle interval grows to 10 minutes: only the wake-up on commit can publish this quickly.
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> relay.status().shards().size() == 4);
            append("k", "1");
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> values("k").size() == 1);

            store.setUnavailable(true);
            relay.wakeUp();
            Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> relay.status().lastError() != null);
            store.setUnavailable(false);
            append("k", "2");
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> values("k").size() == 2);
            assertThat(values("k")).containsExactly("1", "2");
        } finally {
            relay.close(Duration.ofSeconds(5));
        }
        assertThat(relay.status().running()).isFalse();
    }

    @Test
    void builder_rejectsBadSettings_namingThem() {
        assertThatThrownBy(() -> OutboxPublisher.builder().batchSize(0))
                .hasMessage("batchSize must be >= 1, but was 0");
        assertThatThrownBy(() -> OutboxPublisher.builder().leaseTtl(Duration.ZERO))
                .hasMessageContaining("leaseTtl must be > 0");
        assertThatThrownBy(() -> OutboxPublisher.builder().store(store).build())
                .hasMessage("publisher must be set");
        assertThatThrownBy(() -> OutboxPublisher.builder().store(store).publisher(broker.publisher())
                .minPollInterval(Duration.ofSeconds(2)).maxPollInterval(Duration.ofSeconds(1)).build())
                .hasMessageContaining("minPollInterval");
        assertThatThrownBy(() -> OutboxPublisher.builder().batchSize(5).batchSize(6))
                .isInstanceOf(IllegalStateException.class).hasMessage("batchSize was already set to 5");
        assertThatThrownBy(() -> OutboxPublisher.builder().store(store).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("publisher must be set");
        assertThatThrownBy(() -> OutboxPublisher.builder().publisher(broker.publisher()).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("store must be set");
        assertThatThrownBy(() -> OutboxPublisher.builder().relayId("x".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("relayId must be at most 128 characters, but was 129");
    }

    @Test
    void builder_rejectsEveryRepeatedSetting_namingIt() {
        Map<String, java.util.function.Consumer<OutboxPublisher.Builder>> settings = new LinkedHashMap<>();
        settings.put("store", b -> b.store(store));
        settings.put("publisher", b -> b.publisher(broker.publisher()));
        settings.put("relayId", b -> b.relayId("r"));
        settings.put("batchSize", b -> b.batchSize(10));
        settings.put("leaseTtl", b -> b.leaseTtl(Duration.ofSeconds(5)));
        settings.put("minPollInterval", b -> b.minPollInterval(Duration.ofMillis(5)));
        settings.put("maxPollInterval", b -> b.maxPollInterval(Duration.ofSeconds(1)));
        settings.put("sendTimeout", b -> b.sendTimeout(Duration.ofSeconds(1)));
        settings.put("retry", b -> b.retry(RetryPolicy.none()));
        settings.put("topicNaming", b -> b.topicNaming(TopicNaming.fixed("t")));
        settings.put("deadLetter", b -> b.deadLetter(new InMemoryDeadLetterSink()));
        settings.put("deadRetention", b -> b.deadRetention(Duration.ofDays(1)));
        settings.put("publishedRetention", b -> b.publishedRetention(Duration.ofDays(1)));
        settings.put("purgeBatch", b -> b.purgeBatch(10));
        settings.put("hintOthers", b -> b.hintOthers(false));
        settings.put("clock", b -> b.clock(clock));
        settings.put("metrics", b -> b.metrics(OutboxMetrics.noop()));
        settings.forEach((name, set) -> {
            OutboxPublisher.Builder builder = OutboxPublisher.builder();
            set.accept(builder);
            assertThatThrownBy(() -> set.accept(builder)).as(name).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(name + " was already set");
        });
    }

    /** Counts what the relay reports; the metrics it does not override are the interface's no-ops. */
    private static final class RecordingMetrics implements OutboxMetrics {
        final AtomicInteger published = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
        final AtomicInteger leases = new AtomicInteger();
        volatile long backlogPending = -1;
        volatile long backlogDead = -1;

        @Override
        public void batchPublished(int size, int ok, Duration elapsed) {
            published.addAndGet(ok);
        }

        @Override
        public void retried(int count) {
            retried.addAndGet(count);
        }

        @Override
        public void leaseAcquired(int shard) {
            leases.incrementAndGet();
        }

        @Override
        public void backlog(long pending, Duration oldestAge, long dead) {
            backlogPending = pending;
            backlogDead = dead;
        }
    }

    @Test
    void relay_reportsBatchesRetriesLeasesAndBacklog() {
        RecordingMetrics metrics = new RecordingMetrics();
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(new FlakyPublisher()).clock(clock)
                .retry(RetryPolicy.fixed(Duration.ofSeconds(10)).maxAttempts(3)).metrics(metrics).build();
        append("k", "1", "2");
        append("bad", "poison");
        assertThat(relay.publishPending()).isEqualTo(2);
        assertThat(metrics.published).hasValue(2);
        assertThat(metrics.retried).hasValue(1);
        assertThat(metrics.leases).hasValue(4);
        assertThat(metrics.backlogPending).as("the poison row waits for its retry").isEqualTo(1);
        assertThat(metrics.backlogDead).isZero();
    }

    @Test
    void throwingMetrics_doNotBreakTheRelay() {
        OutboxMetrics broken = new OutboxMetrics() {
            @Override
            public void batchPublished(int size, int ok, Duration elapsed) {
                throw new IllegalStateException("metrics backend down");
            }
        };
        OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher()).clock(clock)
                .metrics(broken).build();
        append("k", "1", "2");
        assertThat(relay.publishPending()).isEqualTo(2);
        assertThat(store.pending()).isEmpty();
    }
}
