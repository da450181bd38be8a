package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context across the outbox hop: service A's span around an append → the {@code create} span stored
 * with the row → the relay's {@code send} span and the consumer's {@code process} span, one trace.
 */
class OutboxTracingTest {
    record OrderPlaced(String orderId) {
    }

    private final Tracing tracing = new Tracing();
    private final EventInstrumentation instrumentation = MicrometerInstrumentation.of(tracing.registry);
    private final InMemoryOutboxStore store = InMemoryOutboxStore.create();
    private final InMemoryBroker broker = new InMemoryBroker();
    private final List<Span> handlerSpans = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @AfterEach
    void close() {
        tracing.close();
    }

    @Test
    void appendRelayAndConsume_formOneTrace_acrossTheOutboxHop() {
        placeOrderInServiceA();
        relayAndConsume();

        SpanData a = tracing.span("place-order");
        SpanData create = tracing.span("create Order");
        SpanData send = tracing.span("send order-events");
        SpanData process = tracing.span("process order-events");
        assertThat(List.of(create, send, process)).as(tracing.describe())
                .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(a.getTraceId()));
        assertThat(create.getParentSpanId()).isEqualTo(a.getSpanId());
        assertThat(send.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(List.of(create.getKind(), send.getKind(), process.getKind()))
                .containsExactly(SpanKind.PRODUCER, SpanKind.PRODUCER, SpanKind.CONSUMER);
        // The handler runs inside the process span, so its own spans are children of it.
        assertThat(handlerSpans).singleElement().satisfies(s -> assertThat(s.context().spanId())
                .isEqualTo(process.getSpanId()));
        System.out.println("trace across the outbox hop:" + tracing.describe());
    }

    @Test
    void spans_carryTheMessagingSemanticConventions() {
        placeOrderInServiceA();
        relayAndConsume();

        SpanData process = tracing.span("process order-events");
        assertThat(attribute(process, "messaging.system")).isEqualTo("kafka");
        assertThat(attribute(process, "messaging.operation.type")).isEqualTo("process");
        assertThat(attribute(process, "messaging.destination.name")).isEqualTo("order-events");
        assertThat(attribute(process, "messaging.consumer.group.name")).isEqualTo("billing");
        assertThat(attribute(process, "eventcore.event.type")).isEqualTo("OrderPlaced");
        assertThat(attribute(process, "eventcore.outcome")).isEqualTo("succeeded");
        assertThat(attribute(tracing.span("send order-events"), "messaging.operation.type")).isEqualTo("send");
        assertThat(attribute(tracing.span("create Order"), "messaging.operation.type")).isEqualTo("create");
    }

    @Test
    void relay_sendsTheContextStoredWithTheRow() {
        placeOrderInServiceA();
        relayAndConsume();

        SpanData create = tracing.span("create Order");
        assertThat(broker.messages("order-events")).singleElement()
                .satisfies(m -> assertThat(m.header(EventHeaders.TRACEPARENT))
                        .startsWith("00-" + create.getTraceId() + "-" + create.getSpanId() + "-"));
    }

    @Test
    void retries_areEventsOfTheOneProcessSpan() {
        failuresLeft.set(2);
        placeOrderInServiceA();
        relayAndConsume();

        SpanData process = tracing.span("process order-events");
        assertThat(process.getEvents()).extracting(e -> e.getName()).containsExactly("retry", "retry");
        assertThat(process.getParentSpanId()).isEqualTo(tracing.span("create Order").getSpanId());
    }

    private void placeOrderInServiceA() {
        Outbox<InMemoryOutboxStore.Transaction> outbox = Outbox.observed(store, instrumentation);
        Observation.createNotStarted("place-order", tracing.registry).observe(() ->
                store.inTransaction(tx -> outbox.append(tx, OutboxEvent.of("Order", "o-1", new OrderPlaced("o-1")))));
    }

    private void relayAndConsume() {
        try (OutboxPublisher relay = OutboxPublisher.builder().store(store).publisher(broker.publisher())
                .instrumentation(instrumentation).build()) {
            assertThat(relay.publishPending()).isEqualTo(1);
        }
        EventRouter router = EventRouter.builder().instrumentation(instrumentation)
                .retry(RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(3))
                .route(OrderPlaced.class, (event, ctx) -> {
                    handlerSpans.add(tracing.tracer.currentSpan());
                    if (failuresLeft.getAndDecrement() > 0) {
                        throw new IllegalStateException("not yet");
                    }
                }).build();
        try (InMemoryEventConsumer consumer = broker.consumer("billing", "order-events", router).build()) {
            consumer.start();
            Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> tracing.spans().stream().anyMatch(s -> s.getName().startsWith("process ")));
        }
        router.close();
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
