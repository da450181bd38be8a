package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.eventcore.InboundMessage;
import io.eventcore.codec.DecodeException;
import io.eventcore.protobuf.test.v1.OrderLine;
import io.eventcore.protobuf.test.v2.OrderShipped;
import io.eventcore.protobuf.test.v2.Voucher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Producer and consumer on different versions of the order schema ({@code test/v1/orders.proto},
 * {@code test/v2/orders.proto}), in both directions. Each test is one row of the evolution matrix
 * in {@code docs/payload-formats-protobuf.md}.
 */
class SchemaEvolutionTest {
    /** The default codec: tolerant of unknown fields, strict about wire types. */
    private static final ProtobufEventCodec CODEC = ProtobufEventCodec.builder().build();
    /** Protobuf's own behaviour, with no check of the unknown fields. */
    private static final ProtobufEventCodec PROTOBUF_ALONE = ProtobufEventCodec.builder()
            .failOnWireTypeMismatch(false).build();
    private static final ProtobufEventCodec STRICT = ProtobufEventCodec.builder().failOnUnknownFields(true).build();

    private static io.eventcore.protobuf.test.v1.OrderPlaced.Builder v1() {
        return io.eventcore.protobuf.test.v1.OrderPlaced.newBuilder().setOrderId("o-1").setCustomerId("c-1");
    }

    private static io.eventcore.protobuf.test.v2.OrderPlaced.Builder v2() {
        return io.eventcore.protobuf.test.v2.OrderPlaced.newBuilder().setOrderId("o-1").setCustomerId("c-1");
    }

    private static io.eventcore.protobuf.test.v2.OrderPlaced toV2(ProtobufEventCodec codec, Object v1Payload) {
        return codec.decode(CODEC.encode(v1Payload), io.eventcore.protobuf.test.v2.OrderPlaced.class, "OrderPlaced");
    }

    private static io.eventcore.protobuf.test.v1.OrderPlaced toV1(ProtobufEventCodec codec, Object v2Payload) {
        return codec.decode(CODEC.encode(v2Payload), io.eventcore.protobuf.test.v1.OrderPlaced.class, "OrderPlaced");
    }

    @Test
    void fieldAdded_v1ToV2_theNewFieldsReadAsTheirDefaults() {
        io.eventcore.protobuf.test.v2.OrderPlaced read = toV2(CODEC, v1().setTotalCents(990).build());
        assertThat(read.getTotalCents()).isEqualTo(990);
        assertThat(read.getCurrency()).isEmpty();
        assertThat(read.hasCoupon()).isFalse();
    }

    @Test
    void fieldAdded_v2ToV1_theNewFieldsAreKeptAsUnknownFields_andSurviveReEncoding() {
        io.eventcore.protobuf.test.v1.OrderPlaced read = toV1(CODEC, v2().setCurrency("EUR").setCoupon("X").build());
        assertThat(read.getOrderId()).isEqualTo("o-1");
        assertThat(read.getUnknownFields().asMap()).containsOnlyKeys(10, 11);
        assertThat(toV2(CODEC, read).getCurrency()).isEqualTo("EUR");
    }

    @Test
    void fieldAdded_v2ToV1_withFailOnUnknownFields_isADecodeException() {
        assertThatThrownBy(() -> toV1(STRICT, v2().setCurrency("EUR").build())).isInstanceOf(DecodeException.class)
                .hasMessageContaining("field number 10, which its schema does not define");
    }

    @Test
    void fieldRemoved_v1ToV2_theRemovedFieldIsKeptAsAnUnknownField() {
        io.eventcore.protobuf.test.v2.OrderPlaced read = toV2(CODEC, v1().setLegacyChannel("web").build());
        assertThat(read.getOrderId()).isEqualTo("o-1");
        assertThat(read.getUnknownFields().getField(6).getLengthDelimitedList())
                .containsExactly(ByteString.copyFromUtf8("web"));
    }

    @Test
    void fieldRemoved_v2ToV1_theRemovedFieldReadsAsItsDefault() {
        assertThat(toV1(CODEC, v2().build()).getLegacyChannel()).isEmpty();
    }

    @Test
    void enumValueAdded_v2ToV1_theNewValueIsUnrecognized_keepingItsNumber() {
        io.eventcore.protobuf.test.v1.OrderPlaced read = toV1(CODEC,
                v2().setStatus(io.eventcore.protobuf.test.v2.Status.STATUS_SHIPPED).build());
        assertThat(read.getStatus()).isEqualTo(io.eventcore.protobuf.test.v1.Status.UNRECOGNIZED);
        assertThat(read.getStatusValue()).isEqualTo(3);
        assertThat(toV2(CODEC, read).getStatus()).isEqualTo(io.eventcore.protobuf.test.v2.Status.STATUS_SHIPPED);
    }

    @Test
    void enumValueAdded_v1ToV2_oldValuesReadUnchanged() {
        assertThat(toV2(CODEC, v1().setStatus(io.eventcore.protobuf.test.v1.Status.STATUS_PAID).build()).getStatus())
                .isEqualTo(io.eventcore.protobuf.test.v2.Status.STATUS_PAID);
    }

    /** {@code string priority = 7} became {@code int32 priority = 7}: wire type 2 against 0. */
    @Test
    void wireTypeChanged_v1ToV2_isADecodeException_namingTheField() {
        assertThatThrownBy(() -> toV2(CODEC, v1().setPriority("high").build())).isInstanceOf(DecodeException.class)
                .hasMessageContaining("OrderPlaced.priority (field 7) arrived with another wire type");
    }

    @Test
    void wireTypeChanged_v2ToV1_isADecodeException_namingTheField() {
        assertThatThrownBy(() -> toV1(CODEC, v2().setPriority(5).build())).isInstanceOf(DecodeException.class)
                .hasMessageContaining("OrderPlaced.priority (field 7)");
    }

    @Test
    void wireTypeChanged_protobufAlone_acceptsIt_theFieldReadsAsItsDefault() {
        io.eventcore.protobuf.test.v2.OrderPlaced read = toV2(PROTOBUF_ALONE, v1().setPriority("high").build());
        assertThat(read.getPriority()).isZero();
        assertThat(read.getUnknownFields().getField(7).getLengthDelimitedList())
                .containsExactly(ByteString.copyFromUtf8("high"));
        assertThat(toV1(PROTOBUF_ALONE, v2().setPriority(5).build()).getPriority()).isEmpty();
    }

    @Test
    void wireTypeChanged_inANestedMessage_isADecodeExceptionToo() {
        // An OrderLine whose quantity (field 2, varint) arrives length-delimited.
        byte[] line = {0x0a, 0x01, 'S', 0x12, 0x01, 'x'};
        byte[] order = ProtobufEventCodecTest.concat(new byte[] {0x0a, 0x01, 'o', 0x22, (byte) line.length}, line);
        assertThatThrownBy(() -> CODEC.decode(order, io.eventcore.protobuf.test.v1.OrderPlaced.class, "OrderPlaced"))
                .isInstanceOf(DecodeException.class).hasMessageContaining("OrderPlaced.lines[0].quantity (field 2)");
    }

    /** {@code OrderLine gift = 8} became {@code string gift = 8}: both length-delimited. */
    @Test
    void messageBecameString_v1ToV2_isReadSilently_asTheMessagesBytes_whenTheyAreValidUtf8() {
        io.eventcore.protobuf.test.v2.OrderPlaced read = toV2(CODEC,
                v1().setGift(OrderLine.newBuilder().setSku("S").setQuantity(2)).build());
        assertThat(read.getGift()).isEqualTo("\n\u0001S\u0010\u0002");
    }

    @Test
    void messageBecameString_v1ToV2_isADecodeException_whenTheBytesAreNoValidUtf8() {
        assertThatThrownBy(() -> toV2(CODEC, v1().setGift(OrderLine.newBuilder().setSku("S").setQuantity(200)).build()))
                .isInstanceOf(DecodeException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void messageBecameString_v2ToV1_isADecodeException_whenTheTextIsNoValidMessage() {
        assertThatThrownBy(() -> toV1(CODEC, v2().setGift("hello").build())).isInstanceOf(DecodeException.class);
    }

    /** {@code string voucher = 9} became {@code Voucher voucher = 9}: both length-delimited. */
    @Test
    void stringBecameMessage_v1ToV2_isADecodeException_whenTheTextIsNoValidMessage() {
        assertThatThrownBy(() -> toV2(CODEC, v1().setVoucher("SPRING-10").build()))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void stringBecameMessage_v2ToV1_isReadSilently_asTheMessagesBytes() {
        io.eventcore.protobuf.test.v1.OrderPlaced read = toV1(CODEC,
                v2().setVoucher(Voucher.newBuilder().setCode("ABC")).build());
        assertThat(read.getVoucher().getBytes(StandardCharsets.UTF_8)).containsExactly(0x0a, 0x03, 'A', 'B', 'C');
    }

    /** {@code int32 points = 12} became {@code sint32 points = 12}: both varints, v2 zigzag-encoded. */
    @Test
    void int32BecameSint32_v1ToV2_isReadSilently_withAnotherValue() {
        assertThat(toV2(CODEC, v1().setPoints(3).build()).getPoints()).isEqualTo(-2);
    }

    @Test
    void int32BecameSint32_v2ToV1_isReadSilently_withAnotherValue() {
        assertThat(toV1(CODEC, v2().setPoints(3).build()).getPoints()).isEqualTo(6);
    }

    /** v2's envelope adds the case {@code OrderShipped order_shipped = 3}. */
    private final ProtobufEventCodec v1Envelope = ProtobufEventCodec.builder()
            .envelope(io.eventcore.protobuf.test.v1.OrderEnvelope.class).build();
    private final ProtobufEventCodec v2Envelope = ProtobufEventCodec.builder()
            .envelope(io.eventcore.protobuf.test.v2.OrderEnvelope.class).build();

    @Test
    void envelopeCaseAdded_v2ToV1_theNewCase_isADecodeException_andResolvesToNoType() {
        byte[] bytes = v2Envelope.encode(OrderShipped.newBuilder().setOrderId("o-1").setCarrier("DHL").build());
        assertThat(v1Envelope.decode(bytes, io.eventcore.protobuf.test.v1.OrderEnvelope.class, "OrderShipped")
                .getUnknownFields().asMap()).containsOnlyKeys(3);
        assertThatThrownBy(() -> v1Envelope.decode(bytes, io.eventcore.protobuf.test.v1.OrderPlaced.class,
                "OrderShipped")).isInstanceOf(DecodeException.class).hasMessageContaining("no known case");
        assertThat(v1Envelope.typeResolver().resolve(InboundMessage.builder("orders").value(bytes).build()))
                .isEmpty();
    }

    @Test
    void envelopeCaseAdded_v1ToV2_theOldCasesReadUnchanged() {
        byte[] bytes = v1Envelope.encode(Orders.cancelled(2));
        assertThat(v2Envelope.decode(bytes, io.eventcore.protobuf.test.v2.OrderCancelled.class, "OrderCancelled")
                .getOrderId()).isEqualTo("order-2");
        assertThat(v2Envelope.typeResolver().resolve(InboundMessage.builder("orders").value(bytes).build()))
                .contains("OrderCancelled");
    }

    @Test
    void repeatedField_ofNestedMessages_evolvesPerElement() {
        io.eventcore.protobuf.test.v2.OrderPlaced read = toV2(CODEC, v1()
                .addAllLines(List.of(OrderLine.newBuilder().setSku("A").setQuantity(1).build(),
                        OrderLine.newBuilder().setSku("B").setQuantity(2).build())).build());
        assertThat(read.getLinesList()).extracting(io.eventcore.protobuf.test.v2.OrderLine::getSku).containsExactly("A", "B");
    }
}
