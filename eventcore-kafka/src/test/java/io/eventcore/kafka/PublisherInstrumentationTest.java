package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The publisher observes each published event as a send operation and writes its trace context. */
class PublisherInstrumentationTest {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    /** Records what it was asked and hands out a fixed trace context. */
    static final class Recording implements EventInstrumentation {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public Observed send(String destination, String eventType, Map<String, String> headers) {
            calls.add("send " + destination + " " + eventType);
            return new Observed() {
                @Override
                public Map<String, String> propagation() {
                    return Map.of(EventHeaders.TRACEPARENT, TRACEPARENT);
                }

                @Override
                public void stop(String outcome, Throwable failure) {
                    calls.add("stop " + outcome);
                }
            };
        }
    }

    @Test
    void publish_writesTheSendOperationsTraceContext_replacingTheEventsOwn() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        Recording instrumentation = new Recording();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(producer).topic("orders")
                .instrumentation(instrumentation).build()) {
            Event<String> event = Event.of("OrderPlaced", "o-1", "{}").withHeaders(
                    Map.of(EventHeaders.TRACEPARENT, "00-11111111111111111111111111111111-2222222222222222-01"));
            publisher.publish(event).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        ProducerRecord<byte[], byte[]> sent = producer.history().get(0);
        assertThat(sent.headers().headers(EventHeaders.TRACEPARENT)).singleElement()
                .satisfies(h -> assertThat(new String(h.value(), StandardCharsets.UTF_8)).isEqualTo(TRACEPARENT));
        assertThat(instrumentation.calls).containsExactly("send orders OrderPlaced", "stop published");
    }

    @Test
    void publishAll_observesEachEvent() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        Recording instrumentation = new Recording();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(producer).topic("orders")
                .instrumentation(instrumentation).build()) {
            publisher.publishAll(List.of(Event.of("A", "k", "{}"), Event.of("B", "k", "{}")))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        assertThat(producer.history()).hasSize(2);
        assertThat(instrumentation.calls).containsExactlyInAnyOrder("send orders A", "send orders B",
                "stop published", "stop published");
    }
}
