package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.eventcore.EventcoreException;
import io.eventcore.codec.DecodeException;
import io.eventcore.protobuf.test.v1.OrderCancelled;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderLine;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.protobuf.test.v1.ScalarCaseEnvelope;
import io.eventcore.protobuf.test.v1.TwoCasesOneTypeEnvelope;
import io.eventcore.protobuf.test.v1.TwoOneofsEnvelope;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both styles of {@link ProtobufEventCodec}: building, encoding and what decoding rejects. */
class ProtobufEventCodecTest {
    private final ProtobufEventCodec plain = ProtobufEventCodec.builder().build();
    private final ProtobufEventCodec enveloped = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();

    @Test
    void envelope_withoutOneof_isRejected() {
        assertThatThrownBy(() -> ProtobufEventCodec.builder().envelope(OrderPlaced.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one oneof");
    }

    @Test
    void envelope_withScalarCase_isRejected() {
        assertThatThrownBy(() -> ProtobufEventCodec.builder().envelope(ScalarCaseEnvelope.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("case note");
    }

    @Test
    void envelope_withTwoCasesOfOneType_isRejected() {
        assertThatThrownBy(() -> ProtobufEventCodec.builder().envelope(TwoCasesOneTypeEnvelope.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("order_replaced");
    }

    @Test
    void envelope_withTwoOneofs_needsTheOneofName() {
        assertThatThrownBy(() -> ProtobufEventCodec.builder().envelope(TwoOneofsEnvelope.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[event, routing]");
        assertThatThrownBy(() -> ProtobufEventCodec.builder().envelope(TwoOneofsEnvelope.class, "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no oneof 'nope'");
        ProtobufEventCodec codec = ProtobufEventCodec.builder().envelope(TwoOneofsEnvelope.class, "event").build();
        assertThat(codec.decode(codec.encode(Orders.cancelled(1)), OrderCancelled.class, "OrderCancelled"))
                .isEqualTo(Orders.cancelled(1));
    }

    @Test
    void envelope_setTwice_isRejected() {
        ProtobufEventCodec.Builder builder = ProtobufEventCodec.builder().envelope(OrderEnvelope.class);
        assertThatThrownBy(() -> builder.envelope(OrderEnvelope.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("envelope was already set");
    }

    @Test
    void failOnUnknownFields_setTwice_isRejected() {
        ProtobufEventCodec.Builder builder = ProtobufEventCodec.builder().failOnUnknownFields(true);
        assertThrows(IllegalStateException.class, () -> builder.failOnUnknownFields(false));
    }

    @Test
    void envelopeTypes_areTheCasesSimpleNames() {
        assertThat(enveloped.envelopeTypes())
                .containsExactly(Map.entry(OrderPlaced.class, "OrderPlaced"), Map.entry(OrderCancelled.class,
                        "OrderCancelled"));
        assertThat(plain.envelopeTypes()).isEmpty();
    }

    @Test
    void contentType_namesTheEnvelope() {
        assertThat(plain.contentType()).isEqualTo("application/x-protobuf");
        assertThat(enveloped.contentType()).isEqualTo("application/x-protobuf;messageType=eventcore.test.v1.OrderEnvelope");
    }

    @Test
    void encode_nonMessage_isRejected() {
        assertThatThrownBy(() -> plain.encode("a string")).isInstanceOf(EventcoreException.class)
                .hasMessageContaining("not a protobuf message");
    }

    @Test
    void encode_allDefaultMessage_isRejected_becauseItIsZeroBytes() {
        assertThatThrownBy(() -> plain.encode(OrderPlaced.getDefaultInstance())).isInstanceOf(EventcoreException.class)
                .hasMessageContaining("zero bytes");
    }

    @Test
    void envelope_allDefaultPayload_roundTrips() {
        byte[] bytes = enveloped.encode(OrderCancelled.getDefaultInstance());
        assertThat(bytes).hasSize(2);
        assertThat(enveloped.decode(bytes, OrderCancelled.class, "OrderCancelled"))
                .isEqualTo(OrderCancelled.getDefaultInstance());
    }

    @Test
    void envelope_payloadOutsideTheOneof_isRejectedAtEncode() {
        assertThatThrownBy(() -> enveloped.encode(OrderLine.newBuilder().setSku("x").build()))
                .isInstanceOf(EventcoreException.class)
                .hasMessageContaining("OrderLine is no case of oneof event of envelope eventcore.test.v1.OrderEnvelope")
                .hasMessageContaining("order_cancelled (eventcore.test.v1.OrderCancelled)");
    }

    @Test
    void envelope_encodesTheSameBytesAsTheGeneratedEnvelope() {
        OrderPlaced order = Orders.placed(3);
        assertThat(enveloped.encode(order)).isEqualTo(OrderEnvelope.newBuilder().setOrderPlaced(order).build()
                .toByteArray());
    }

    @Test
    void envelope_holdingAnotherCase_isADecodeException_namingIt() {
        byte[] bytes = enveloped.encode(Orders.cancelled(4));
        DecodeException e = assertThrows(DecodeException.class,
                () -> enveloped.decode(bytes, OrderPlaced.class, "OrderPlaced"));
        assertThat(e).hasMessageContaining("holds order_cancelled (eventcore.test.v1.OrderCancelled)");
        assertThat(e.rawBytes()).isEqualTo(bytes);
    }

    @Test
    void envelope_withNoCaseSet_isADecodeException() {
        byte[] bytes = {0x7a, 0x00}; // field 15, length 0: a field no case has
        DecodeException e = assertThrows(DecodeException.class,
                () -> enveloped.decode(bytes, OrderPlaced.class, "OrderPlaced"));
        assertThat(e).hasMessageContaining("no known case of oneof event set");
    }

    @Test
    void envelope_routeOfTheEnvelopeClass_getsTheWholeEnvelope() {
        byte[] bytes = enveloped.encode(Orders.cancelled(5));
        assertThat(enveloped.decode(bytes, OrderEnvelope.class, "OrderEnvelope").getOrderCancelled())
                .isEqualTo(Orders.cancelled(5));
    }

    @Test
    void routeClass_thatIsNoMessage_isADecodeException() {
        byte[] bytes = plain.encode(Orders.placed(1));
        assertThatThrownBy(() -> plain.decode(bytes, String.class, "OrderPlaced")).isInstanceOf(DecodeException.class)
                .hasMessageContaining("not a protobuf message class");
    }

    @Test
    void invalidUtf8_inAStringField_isADecodeException() {
        byte[] bytes = {0x0a, 0x02, (byte) 0xc3, 0x28}; // order_id: an invalid two-byte sequence
        assertThatThrownBy(() -> plain.decode(bytes, OrderPlaced.class, "OrderPlaced"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void cutBetweenTwoFields_decodesAsAShorterMessage_inTheOneMessageStyle() {
        OrderPlaced order = OrderPlaced.newBuilder().setOrderId("o-1").setCustomerId("c-1").build();
        byte[] full = plain.encode(order);
        byte[] firstFieldOnly = Arrays.copyOf(full, 5); // tag, length, "o-1"
        assertThat(plain.decode(firstFieldOnly, OrderPlaced.class, "OrderPlaced"))
                .isEqualTo(OrderPlaced.newBuilder().setOrderId("o-1").build());
    }

    @Test
    void everyCut_ofAnEnvelope_isADecodeException() {
        byte[] full = enveloped.encode(Orders.placed(8));
        for (int length = 1; length < full.length; length++) {
            byte[] cut = Arrays.copyOf(full, length);
            assertThrows(DecodeException.class, () -> enveloped.decode(cut, OrderPlaced.class, "OrderPlaced"),
                    "cut at " + length);
        }
    }

    @Test
    void toString_namesTheStyle() {
        assertThat(plain.toString()).contains("one message per event type");
        assertThat(enveloped.toString()).contains("envelope eventcore.test.v1.OrderEnvelope, oneof event");
    }

    static byte[] varint(int value) {
        byte[] out = new byte[5];
        int n = 0;
        while ((value & ~0x7f) != 0) {
            out[n++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out[n++] = (byte) value;
        return Arrays.copyOf(out, n);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
