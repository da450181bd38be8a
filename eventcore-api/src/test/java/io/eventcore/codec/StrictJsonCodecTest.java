package io.eventcore.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StrictJsonCodecTest {
    enum Status { OPEN, PAID }

    record Line(String sku, int quantity) {
    }

    record Order(String orderId, long amountCents, boolean express, Status status, BigDecimal rate,
            Instant at, UUID ref, List<Line> lines) {
    }

    /** A class with an explicit creator and one optional setter property. */
    static final class Legacy {
        final String id;
        final int version;
        String note;

        @JsonCreator
        Legacy(@JsonProperty("id") String id, @JsonProperty("version") int version) {
            this.id = id;
            this.version = version;
        }

        public void setNote(String note) {
            this.note = note;
        }
    }

    private static final String VALID = "{\"orderId\":\"o-1\",\"amountCents\":500,\"express\":true,\"status\":\"PAID\","
            + "\"rate\":1.25,\"at\":\"2026-01-01T00:00:00Z\",\"ref\":\"5f0c6e1e-7a0a-4d3e-9d38-0d6b4c1f2a11\","
            + "\"lines\":[{\"sku\":\"a\",\"quantity\":2}]}";

    private final EventCodec strict = EventCodec.strictJson();
    private final EventCodec lenient = EventCodec.json();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void validDocument_decodesTheSameInBothModes() {
        Order strictOrder = strict.decode(utf8(VALID), Order.class, "Order");
        assertThat(strictOrder).isEqualTo(lenient.decode(utf8(VALID), Order.class, "Order"));
        assertThat(strictOrder.lines()).containsExactly(new Line("a", 2));
        assertThat(strictOrder.status()).isEqualTo(Status.PAID);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "string for a long          | \"amountCents\":500             | \"amountCents\":\"500\"          | amountCents",
        "float for a long           | \"amountCents\":500             | \"amountCents\":500.5            | amountCents",
        "number for a boolean       | \"express\":true                | \"express\":1                    | express",
        "string for a boolean       | \"express\":true                | \"express\":\"true\"             | express",
        "number for a string        | \"orderId\":\"o-1\"             | \"orderId\":17                   | orderId",
        "number for an enum         | \"status\":\"PAID\"             | \"status\":1                     | status",
        "string for a decimal       | \"rate\":1.25                   | \"rate\":\"1.25\"                | rate",
        "empty string for a UUID    | \"ref\":\"5f0c6e1e-7a0a-4d3e-9d38-0d6b4c1f2a11\" | \"ref\":\"\" | ref",
        "string for a nested int    | \"quantity\":2                  | \"quantity\":\"2\"               | lines[0].quantity",
        "null for a primitive       | \"amountCents\":500             | \"amountCents\":null             | amountCents",
    })
    void coercion_isADecodeException_namingTheField_inStrictModeOnly(String name, String from, String to, String field) {
        String json = VALID.replace(from, to);
        assertThat(json).as("test input changed").isNotEqualTo(VALID);
        byte[] bytes = utf8(json);
        assertThatThrownBy(() -> strict.decode(bytes, Order.class, "Order"))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("at field '" + field + "'")
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes));
        if (!name.startsWith("null for")) {
            assertThat(lenient.decode(bytes, Order.class, "Order")).as("the lenient codec coerces").isNotNull();
        }
    }

    @Test
    void missingRecordComponent_isADecodeException_namingIt_whileTheLenientCodecLeavesItNull() {
        byte[] bytes = utf8(VALID.replace("\"orderId\":\"o-1\",", ""));
        assertThatThrownBy(() -> strict.decode(bytes, Order.class, "Order"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("'orderId'");
        assertThat(lenient.decode(bytes, Order.class, "Order").orderId()).isNull();
        // A missing primitive fails in both modes: there is no null to give it.
        byte[] noAmount = utf8(VALID.replace("\"amountCents\":500,", ""));
        assertThatThrownBy(() -> lenient.decode(noAmount, Order.class, "Order"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("amountCents");
    }

    @Test
    void missingCreatorParameter_isRequired_butASetterPropertyIsNot() {
        assertThat(strict.decode(utf8("{\"id\":\"x\",\"version\":3}"), Legacy.class, "Legacy").version).isEqualTo(3);
        assertThatThrownBy(() -> strict.decode(utf8("{\"id\":\"x\",\"note\":\"n\"}"), Legacy.class, "Legacy"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("version");
    }

    @Test
    void explicitNullForAReference_staysAllowed() {
        Order o = strict.decode(utf8(VALID.replace("\"orderId\":\"o-1\"", "\"orderId\":null")), Order.class, "Order");
        assertThat(o.orderId()).isNull();
    }

    @Test
    void unknownProperties_areIgnoredByDefault_andRejectedWhenAskedFor_namingThem() {
        byte[] bytes = utf8(VALID.replace("{\"orderId\"", "{\"couponCode\":\"X\",\"orderId\""));
        assertThat(strict.decode(bytes, Order.class, "Order").orderId()).isEqualTo("o-1");
        EventCodec closed = JsonEventCodec.builder().strict(true).failOnUnknownProperties(true).build();
        assertThatThrownBy(() -> closed.decode(bytes, Order.class, "Order"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("couponCode");
    }

    @Test
    void strictAndLenient_encodeTheSameBytes() {
        Order o = lenient.decode(utf8(VALID), Order.class, "Order");
        assertThat(strict.encode(o)).isEqualTo(lenient.encode(o));
        assertThat(strict.decode(strict.encode(o), Order.class, "Order")).isEqualTo(o);
    }

    @Test
    void strict_isASettingMadeOnce() {
        assertThatThrownBy(() -> JsonEventCodec.builder().strict(true).strict(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("strict");
    }
}
