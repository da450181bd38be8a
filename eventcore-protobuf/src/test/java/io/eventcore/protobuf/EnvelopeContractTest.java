package io.eventcore.protobuf;

import io.eventcore.codec.EventCodec;
import io.eventcore.protobuf.test.v1.OrderEnvelope;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.test.EventCodecContract;

/** The codec contract in the envelope style: payloads are wrapped in {@code OrderEnvelope}'s oneof. */
class EnvelopeContractTest extends EventCodecContract {
    private static final EventCodec CODEC = ProtobufEventCodec.builder().envelope(OrderEnvelope.class).build();

    @Override
    protected EventCodec codec() {
        return CODEC;
    }

    @Override
    protected Class<?> payloadClass() {
        return OrderPlaced.class;
    }

    @Override
    protected Object payload(int seed) {
        return Orders.placed(seed);
    }
}
