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
        assertThat(new String(e.encodedPayload(EventCodec.json()), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"o-1\"}");
    }

    @Test
    void storedHeaders_carryTheCodecsContentType_forObjectPayloadsOnly() {
        OutboxEvent object = OutboxEvent.of("Order", "o-1", new OrderCreated("o-1"));
        assertThat(object.storedHeaders(EventCodec.json())).containsEntry("content_type", "application/json");
        OutboxEvent raw = OutboxEvent.builder("Order", "o-1").rawPayload("Archived", new byte[] {1}).build();
        assertThat(raw.storedHeaders(EventCodec.json())).doesNotContainKey("content_type");
        OutboxEvent own = OutboxEvent.builder("Order", "o-1").payload(new OrderCreated("o-1"))
                .header("content_type", "application/vnd.shop+json").build();
        assertThat(own.storedHeaders(EventCodec.json())).containsEntry("content_type", "application/vnd.shop+json");
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
