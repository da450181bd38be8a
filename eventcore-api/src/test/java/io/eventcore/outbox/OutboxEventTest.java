package io.eventcore.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.codec.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OutboxEventTest {
    record OrderCreated(String id) {
    }

    @Test
    void of_derivesTheTypeFromThePayload_andEncodesIt() {
        OutboxEvent e = OutboxEvent.of("Order", "o-1", new OrderCreated("o-1"));
        assertThat(e.eventType()).isEqualTo("OrderCreated");
        assertThat(e.eventId()).isNotBlank();
        assertThat(new String(e.encode(EventCodec.json()).payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"o-1\"}");
    }

    @Test
    void storedHeaders_carryTheCodecsContentType_forObjectPayloadsOnly() {
        OutboxEvent object = OutboxEvent.of("Order", "o-1", new OrderCreated("o-1"));
        assertThat(object.encode(EventCodec.json()).headers()).containsEntry("content_type", "application/json");
        OutboxEvent raw = OutboxEvent.builder("Order", "o-1").rawPayload("Archived", new byte[] {1}).build();
        assertThat(raw.encode(EventCodec.json()).headers()).doesNotContainKey("content_type");
        OutboxEvent own = OutboxEvent.builder("Order", "o-1").payload(new OrderCreated("o-1"))
                .header("content_type", "application/vnd.shop+json").build();
        assertThat(own.encode(EventCodec.json()).headers()).containsEntry("content_type", "application/vnd.shop+json");
    }

    @Test
    void encode_letsTheCodecSeeTheTopicOverride_andAddHeaders() {
        EventCodec registryLike = new SchemaIdCodec();
        OutboxEvent e = OutboxEvent.builder("Order", "o-1").payload(new OrderCreated("o-1"))
                .topic("orders-v2").header("traceparent", "00-abc-def-01").build();
        OutboxEvent.Encoded encoded = e.encode(registryLike);
        assertThat(encoded.headers()).containsExactly(Map.entry("traceparent", "00-abc-def-01"),
                Map.entry("schema_id", "orders-v2-value:7"), Map.entry("content_type", "application/json"));
        assertThat(new String(encoded.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"o-1\"}");
        assertThat(e.headers()).containsOnlyKeys("traceparent");
    }

    /** Names a schema after the topic and carries its id in a header, as a registry codec would. */
    static final class SchemaIdCodec implements EventCodec {
        private final EventCodec json = EventCodec.json();

        @Override
        public <T> T decode(byte[] bytes, Class<T> type, String eventType) {
            return json.decode(bytes, type, eventType);
        }

        @Override
        public byte[] encode(Object payload) {
            throw new AssertionError("eventcore must call the topic-aware encode");
        }

        @Override
        public byte[] encode(Object payload, String topic, Map<String, String> headers) {
            headers.put("schema_id", topic + "-value:7");
            return json.encode(payload);
        }
    }

    @Test
    void eventType_overridesTheDerivedType_inEitherOrder() {
        assertThat(OutboxEvent.builder("Order", "o").payload(new OrderCreated("o")).eventType("Created").build()
                .eventType()).isEqualTo("Created");
        assertThat(OutboxEvent.builder("Order", "o").eventType("Created").payload(new OrderCreated("o")).build()
                .eventType()).isEqualTo("Created");
    }

    @Test
    void builder_rejectsEveryRepeatedSetting_namingIt() {
        Map<String, Consumer<OutboxEvent.Builder>> settings = new LinkedHashMap<>();
        settings.put("eventId", b -> b.eventId("e-1"));
        settings.put("eventType", b -> b.eventType("T"));
        settings.put("payload", b -> b.payload(new OrderCreated("o")));
        settings.put("header 'tenant'", b -> b.header("tenant", "a"));
        settings.put("topic", b -> b.topic("t"));
        settings.put("occurredAt", b -> b.occurredAt(Instant.EPOCH));
        settings.forEach((name, set) -> {
            OutboxEvent.Builder builder = OutboxEvent.builder("Order", "o");
            set.accept(builder);
            assertThatThrownBy(() -> set.accept(builder)).as(name).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(name + " was already set");
        });
        assertThatThrownBy(() -> OutboxEvent.builder("Order", "o").payload("x").rawPayload("T", new byte[0]))
                .isInstanceOf(IllegalStateException.class).hasMessage("payload was already set");
        assertThatThrownBy(() -> OutboxEvent.builder("Order", "o").eventType("A").rawPayload("B", new byte[0]))
                .isInstanceOf(IllegalStateException.class).hasMessage("eventType was already set to A");
    }

    @Test
    void badValues_areRejectedAtOnce_namingSettingAndValue() {
        assertThatThrownBy(() -> OutboxEvent.builder(" ", "o")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("aggregateType must not be blank, but was ' '");
        assertThatThrownBy(() -> OutboxEvent.builder("Order", "o").topic(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("topic must not be blank, but was ''");
        assertThatThrownBy(() -> OutboxEvent.builder("Order", "o").eventId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("eventId must not be blank, but was ' '");
    }

    @Test
    void missingPayload_failsAtBuild_namingIt() {
        assertThatThrownBy(() -> OutboxEvent.builder("Order", "o-9").eventType("T").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("payload or rawPayload must be set for an outbox event of Order/o-9");
    }
}
