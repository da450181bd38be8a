package io.eventcore.protobuf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.codec.TypeResolver;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import org.junit.jupiter.api.Test;

/** {@link ProtobufEventCodec#typeResolver()}: the header, else the envelope's oneof case; never throws. */
class TypeResolverTest {
    private final ProtobufEventCodec enveloped = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();
    private final TypeResolver resolver = enveloped.typeResolver();

    private static InboundMessage value(byte[] bytes) {
        return InboundMessage.builder("orders").value(bytes).build();
    }

    @Test
    void header_winsOverTheOneofCase() {
        InboundMessage m = InboundMessage.builder("orders").value(enveloped.encode(Orders.placed(1)))
                .header("event_type", "Custom").build();
        assertThat(resolver.resolve(m)).contains("Custom");
    }

    @Test
    void blankHeader_fallsBackToTheOneofCase() {
        InboundMessage m = InboundMessage.builder("orders").value(enveloped.encode(Orders.placed(1)))
                .header("event_type", " ").build();
        assertThat(resolver.resolve(m)).contains("OrderPlaced");
    }

    @Test
    void oneofCase_namesThePayloadsSimpleClassName_whichIsTheMessageName() {
        assertThat(resolver.resolve(value(enveloped.encode(Orders.cancelled(1))))).contains("OrderCancelled");
        assertThat(io.eventcore.Event.typeOf(io.eventcore.protobuf.test.v1.OrderCancelled.class))
                .isEqualTo(io.eventcore.protobuf.test.v1.OrderCancelled.getDescriptor().getName());
    }

    @Test
    void lastCaseOnTheWire_wins_asWhenParsing() {
        byte[] both = ProtobufEventCodecTest.concat(enveloped.encode(Orders.placed(1)), enveloped.encode(Orders.cancelled(1)));
        assertThat(resolver.resolve(value(both))).contains("OrderCancelled");
        assertThat(enveloped.decode(both, OrderEnvelope.class, "x").hasOrderCancelled()).isTrue();
    }

    @Test
    void nothingResolvable_isEmpty_neverAnException() {
        assertThat(resolver.resolve(InboundMessage.builder("orders").build())).isEmpty();
        assertThat(resolver.resolve(value(new byte[0]))).isEmpty();
        assertThat(resolver.resolve(value(new byte[] {(byte) 0xff, 0x00, (byte) 0xfe, 0x13, 0x37, (byte) 0x80})))
                .isEmpty();
        assertThat(resolver.resolve(value(new byte[] {(byte) 0x80, (byte) 0x80}))).isEmpty(); // truncated varint
        assertThat(resolver.resolve(value(new byte[] {0x0a, 0x7f, 0x01}))).isEmpty(); // length past the end
        assertThat(resolver.resolve(value(new byte[] {0x08, 0x01}))).isEmpty(); // case 1 as a varint
        assertThat(resolver.resolve(value(new byte[] {0x7a, 0x00}))).isEmpty(); // no case set
        assertThat(resolver.resolve(value(new byte[] {0x0c}))).isEmpty(); // an end-group tag alone
    }

    @Test
    void oneMessageStyle_resolvesFromTheHeaderOnly() {
        ProtobufEventCodec plain = ProtobufEventCodec.builder().build();
        byte[] bytes = plain.encode(Orders.placed(1));
        assertThat(plain.typeResolver().resolve(value(bytes))).isEmpty();
        assertThat(plain.typeResolver().resolve(InboundMessage.builder("orders").value(bytes)
                .header("event_type", "OrderPlaced").build())).contains("OrderPlaced");
    }
}
