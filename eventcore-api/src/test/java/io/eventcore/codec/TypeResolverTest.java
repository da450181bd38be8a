package io.eventcore.codec;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TypeResolverTest {
    private final TypeResolver standard = TypeResolver.standard();

    private static InboundMessage msg(String header, String json) {
        InboundMessage.Builder b = InboundMessage.builder("t").value(json);
        if (header != null) {
            b.header(EventHeaders.EVENT_TYPE, header);
        }
        return b.build();
    }

    @Test
    void header_winsOverJsonField() {
        assertThat(standard.resolve(msg("A", "{\"event_type\":\"B\"}"))).contains("A");
    }

    @Test
    void jsonField_isUsedWhenHeaderMissingOrBlank() {
        assertThat(standard.resolve(msg(null, "{\"nested\":{\"event_type\":\"X\"},\"event_type\":\"B\"}"))).contains("B");
        assertThat(standard.resolve(msg(" ", "{\"event_type\":\"B\"}"))).contains("B");
    }

    @Test
    void unresolvable_isEmpty_neverThrows() {
        assertThat(standard.resolve(msg(null, "not json"))).isEmpty();
        assertThat(standard.resolve(msg(null, "[1,2]"))).isEmpty();
        assertThat(standard.resolve(msg(null, "{\"event_type\":42}"))).isEmpty();
        assertThat(standard.resolve(msg(null, null))).isEmpty();
        assertThat(standard.resolve(msg(null, "{\"a\":" + "[".repeat(10_000)))).isEmpty();
    }

    @Test
    void customResolver_isPluggable() {
        TypeResolver byTopic = m -> java.util.Optional.of(m.topic() + "-type");
        assertThat(byTopic.resolve(msg(null, "{}"))).contains("t-type");
        assertThat(TypeResolver.header("type").resolve(InboundMessage.builder("t").header("type", "Z").build()))
                .contains("Z");
    }
}
