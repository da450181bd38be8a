package io.eventcore.protobuf;

import io.eventcore.codec.EventCodec;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.test.EventCodecContract;

/** The codec contract in the one-message-per-event-type style. */
class OneMessagePerTypeContractTest extends EventCodecContract {
    private static final EventCodec CODEC = ProtobufEventCodec.builder().build();

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
