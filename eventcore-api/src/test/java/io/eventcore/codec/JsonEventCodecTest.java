package io.eventcore.codec;

import io.eventcore.NonRetryableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonEventCodecTest {
    record Placed(String orderId, BigDecimal total, Instant at) {
    }

    record Holder(Object value) {
    }

    private final EventCodec codec = EventCodec.json();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTrip_withJavaTime_asIsoStrings() {
        Placed p = new Placed("o-1", new BigDecimal("12.50"), Instant.parse("2026-02-03T04:05:06Z"));
        byte[] json = codec.encode(p);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"at\":\"2026-02-03T04:05:06Z\"");
        assertThat(codec.decode(json, Placed.class, "Placed")).isEqualTo(p);
    }

    @Test
    void unknownProperties_areIgnoredByDefault() {
        assertThat(codec.decode(utf8("{\"orderId\":\"o\",\"extra\":1}"), Placed.class, "Placed").orderId())
                .isEqualTo("o");
        EventCodec strict = JsonEventCodec.builder().failOnUnknownProperties(true).build();
        assertThatThrownBy(() -> strict.decode(utf8("{\"orderId\":\"o\",\"extra\":1}"), Placed.class, "Placed"))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void classNameOnTheWire_isNeverInstantiated() {
        String gadget = "{\"value\":[\"java.net.URL\",\"http://127.0.0.1/\"],"
                + "\"@class\":\"java.lang.ProcessBuilder\"}";
        Holder h = codec.decode(utf8(gadget), Holder.class, "Holder");
        assertThat(h.value()).isInstanceOf(java.util.List.class);
        assertThat(((java.util.List<?>) h.value()).get(0)).isEqualTo("java.net.URL");
        Object asObject = codec.decode(utf8("{\"@class\":\"java.lang.Runtime\"}"), Object.class, "Any");
        assertThat(asObject).isInstanceOf(Map.class);
    }

    @Test
    void decodeFailures_keepRawBytes_andAreNonRetryable() {
        byte[] bad = utf8("{\"orderId\": 12, \"total\": \"abc\"}");
        assertThatThrownBy(() -> codec.decode(bad, Placed.class, "Placed"))
                .isInstanceOf(DecodeException.class).isInstanceOf(NonRetryableException.class)
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bad))
                .hasMessageContaining("Placed");
    }

    @Test
    void nullEmptyJsonNullTrailingGarbageAndDuplicateKeys_areRejected() {
        assertThatThrownBy(() -> codec.decode(null, Placed.class, "Placed")).hasMessageContaining("null value");
        assertThatThrownBy(() -> codec.decode(new byte[0], Placed.class, "Placed")).hasMessageContaining("empty");
        assertThatThrownBy(() -> codec.decode(utf8("null"), Placed.class, "Placed")).hasMessageContaining("JSON null");
        assertThatThrownBy(() -> codec.decode(utf8("{\"orderId\":\"a\"} x"), Placed.class, "Placed"))
                .isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> codec.decode(utf8("{\"orderId\":\"a\",\"orderId\":\"b\"}"), Placed.class, "P"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("Duplicate");
    }

    @Test
    void deepNesting_andHugeStrings_hitTheParserLimits() {
        String deep = "{\"value\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        assertThatThrownBy(() -> codec.decode(utf8(deep), Holder.class, "Holder"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("nesting depth");
        EventCodec small = JsonEventCodec.builder().maxStringLength(1_000).build();
        String big = "{\"orderId\":\"" + "x".repeat(5_000) + "\"}";
        assertThatThrownBy(() -> small.decode(utf8(big), Placed.class, "Placed"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("String value length");
    }

    @Test
    void builderLimits_rejectNonPositiveValues() {
        assertThatThrownBy(() -> JsonEventCodec.builder().maxNestingDepth(0))
                .hasMessage("maxNestingDepth must be >= 1, but was 0");
        assertThatThrownBy(() -> JsonEventCodec.builder().maxDocumentLength(-5))
                .hasMessage("maxDocumentLength must be >= 1, but was -5");
    }
}
