package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetter;
import java.time.Instant;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** {@code producerOf(publisher)}: dead letters go through the publisher's producer, which the sink never closes. */
class DeadLetterSinkSharedProducerTest {

    private static DeadLetter letter() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        InboundMessage source = InboundMessage.builder("orders").key("o-1").value("{\"amount\":-1}").offset(4).build();
        return DeadLetter.builder().source(source).failure(new IllegalStateException("declined")).attempts(3)
                .firstFailureAt(now).lastFailureAt(now).build();
    }

    @Test
    void deadLettersGoThroughThePublishersProducer_andClosingTheSinkLeavesItOpen() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(producer).topic("orders").build()) {
            KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().producerOf(publisher).build();
            sink.accept(letter());
            assertThat(producer.history()).singleElement().satisfies(r -> {
                assertThat(r.topic()).isEqualTo("orders.dlq");
                assertThat(new String(r.value())).isEqualTo("{\"amount\":-1}");
            });
            sink.close();
            assertThat(producer.closed()).as("the publisher owns the producer").isFalse();
        }
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void producerOf_excludesClientSettingsAndProperties_eitherWay() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(producer).topic("orders").build()) {
            assertThatThrownBy(() -> KafkaDeadLetterSink.builder().producerOf(publisher).bootstrapServers("x:9"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrapServers");
            assertThatThrownBy(() -> KafkaDeadLetterSink.builder().bootstrapServers("x:9").producerOf(publisher))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("producerOf");
            assertThatThrownBy(() -> KafkaDeadLetterSink.builder().producerOf(publisher).producerOf(publisher))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("producerOf");
        }
    }
}
