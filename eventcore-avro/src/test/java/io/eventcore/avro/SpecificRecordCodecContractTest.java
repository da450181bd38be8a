package io.eventcore.avro;

import io.eventcore.avro.test.v1.OrderPlaced;
import io.eventcore.codec.EventCodec;
import io.eventcore.test.EventCodecContract;

/** The codec contract with generated (specific) records. The default garbage has no C3 01 marker. */
class SpecificRecordCodecContractTest extends EventCodecContract {
    private final EventCodec codec = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();

    @Override
    protected EventCodec codec() {
        return codec;
    }

    @Override
    protected Class<?> payloadClass() {
        return OrderPlaced.class;
    }

    @Override
    protected Object payload(int seed) {
        return Orders.v1(seed);
    }
}
