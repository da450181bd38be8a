package io.eventcore.micrometer;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventMetrics;
import io.eventcore.routing.EventRouter;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {
    record Paid(String id) {
    }

    @Test
    void countsOutcomesRetriesAndDeadLetters_andTimesHandlers() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        try (EventRouter router = EventRouter.builder()
                .route(Paid.class, (e, c) -> {
                    if (e.payload().id().equals("bad") && calls.incrementAndGet() > 0) {
                        throw new IllegalStateException("nope");
                    }
                })
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(2))
                .deadLetter(d -> { })
                .metrics(MicrometerMetrics.of(registry))
                .build()) {
            dispatch(router, "ok");
            dispatch(router, "ok");
            dispatch(router, "bad");
        }
        assertThat(registry.get("eventcore.dispatch").tag("type", "Paid").tag("outcome", "succeeded").timer().count())
                .isEqualTo(2);
        assertThat(registry.get("eventcore.dispatch").tag("outcome", "dead_lettered").timer().count()).isEqualTo(1);
        assertThat(registry.find("eventcore.events").meters()).as("no counter duplicating the timer's count").isEmpty();
        assertThat(registry.get("eventcore.retries").tag("type", "Paid").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("eventcore.dead.letters").tag("exception", "IllegalStateException").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("eventcore.handler").tag("result", "success").timer().count()).isEqualTo(2);
        assertThat(registry.get("eventcore.handler").tag("result", "failure").timer().count()).isEqualTo(2);
    }

    @Test
    void failingMetrics_neverBreakProcessing() {
        EventMetrics broken = new EventMetrics() {
            @Override
            public void dispatched(String t, DispatchOutcome o, Duration d) {
                throw new IllegalStateException("metrics down");
            }

            @Override
            public void handlerAttempt(String t, String h, Duration d, boolean s) {
                throw new IllegalStateException("metrics down");
            }

            @Override
            public void retried(String t, int a) {
                throw new IllegalStateException("metrics down");
            }

            @Override
            public void deadLettered(String t, String e) {
                throw new IllegalStateException("metrics down");
            }
        };
        try (EventRouter router = EventRouter.builder().route(Paid.class, (e, c) -> { }).metrics(broken).build()) {
            assertThat(dispatch(router, "ok").outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
        }
    }

    private static DispatchResult dispatch(EventRouter router, String id) {
        CompletableFuture<DispatchResult> f = router.dispatch(InboundMessage.builder("payments")
                .header(EventHeaders.EVENT_TYPE, "Paid").value("{\"id\":\"" + id + "\"}").build()).toCompletableFuture();
        return f.join();
    }

    @Test
    void outboxMeters_haveTheDocumentedNamesAndValues() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = MicrometerMetrics.of(registry);
        metrics.batchPublished(10, 9, Duration.ofMillis(12));
        metrics.retried(1);
        metrics.dead(2);
        metrics.leaseAcquired(3);
        metrics.leaseLost(3);
        metrics.fenceRejected(3);
        metrics.backlog(42, Duration.ofSeconds(7), 5);

        assertThat(registry.get("eventcore.outbox.publish").timer().count()).isEqualTo(1);
        assertThat(registry.get("eventcore.outbox.batch.size").summary().totalAmount()).isEqualTo(10);
        assertThat(registry.get("eventcore.outbox.published").counter().count()).isEqualTo(9);
        assertThat(registry.get("eventcore.outbox.retries").counter().count()).isEqualTo(1);
        assertThat(registry.get("eventcore.outbox.dead").counter().count()).isEqualTo(2);
        for (String change : new String[] {"acquired", "lost", "fenced"}) {
            assertThat(registry.get("eventcore.outbox.leases").tag("change", change).counter().count()).isEqualTo(1);
        }
        assertThat(registry.get("eventcore.outbox.backlog").gauge().value()).isEqualTo(42);
        assertThat(registry.get("eventcore.outbox.oldest.age").gauge().value()).isEqualTo(7.0);
        assertThat(registry.get("eventcore.outbox.dead.rows").gauge().value()).isEqualTo(5);
        metrics.backlog(0, Duration.ZERO, 0);
        assertThat(registry.get("eventcore.outbox.backlog").gauge().value()).isZero();
    }

    @Test
    void unroutedTypes_shareOneTypeTag() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventRouter router = EventRouter.builder().route(Paid.class, (e, c) -> { }).deadLetter(d -> { })
                .metrics(MicrometerMetrics.of(registry)).build()) {
            for (String type : new String[] {"Spam1", "Spam2", "Spam3"}) {
                router.dispatch(InboundMessage.builder("t").header(EventHeaders.EVENT_TYPE, type).value("{}").build())
                        .toCompletableFuture().join();
            }
            assertThat(router.dispatch(InboundMessage.builder("t").value("{}").build()).toCompletableFuture().join()
                    .outcome()).as("no event_type at all").isEqualTo(DispatchOutcome.DEAD_LETTERED);
        }
        assertThat(registry.find("eventcore.dispatch").meters()).singleElement()
                .satisfies(m -> assertThat(m.getId().getTag("type")).isEqualTo("_unknown"));
        assertThat(registry.get("eventcore.dead.letters").tag("type", "_unknown").counter().count()).isEqualTo(4);
    }

    @Test
    void twoRelays_onOneRegistry_haveTheirOwnOutboxMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics shared = MicrometerMetrics.of(registry);
        MicrometerMetrics orders = shared.forOutbox("orders");
        MicrometerMetrics payments = shared.forOutbox("payments");
        orders.backlog(3, Duration.ZERO, 0);
        payments.backlog(7, Duration.ZERO, 0);
        orders.batchPublished(3, 3, Duration.ofMillis(1));

        assertThat(registry.get("eventcore.outbox.backlog").tag("outbox", "orders").gauge().value()).isEqualTo(3);
        assertThat(registry.get("eventcore.outbox.backlog").tag("outbox", "payments").gauge().value()).isEqualTo(7);
        assertThat(registry.get("eventcore.outbox.published").tag("outbox", "orders").counter().count()).isEqualTo(3);
        assertThat(registry.find("eventcore.outbox.published").tag("outbox", "payments").meters()).isEmpty();
    }

    @Test
    void consumerGauges_perPartition_areRemovedWhenThePartitionIsReleased() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry reg =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        MicrometerMetrics m = MicrometerMetrics.of(reg);
        m.partitionLag("g", "orders", 0, 7);
        m.partitionLag("g", "orders", 0, 5);
        m.partitionPaused("g", "orders", 0, true);
        m.inFlight("g", 3);
        m.recordFailed("g", "orders", 0, "IOException");

        org.assertj.core.api.Assertions.assertThat(reg.get("eventcore.consumer.lag").tag("partition", "0").gauge().value())
                .isEqualTo(5.0);
        org.assertj.core.api.Assertions.assertThat(reg.get("eventcore.consumer.paused").gauge().value()).isEqualTo(1.0);
        org.assertj.core.api.Assertions.assertThat(reg.get("eventcore.consumer.in.flight").gauge().value()).isEqualTo(3.0);
        org.assertj.core.api.Assertions.assertThat(reg.get("eventcore.consumer.failures").counter().count()).isEqualTo(1.0);

        m.partitionReleased("g", "orders", 0);

        org.assertj.core.api.Assertions.assertThat(reg.find("eventcore.consumer.lag").gauges()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(reg.find("eventcore.consumer.paused").gauges()).isEmpty();
    }
}
