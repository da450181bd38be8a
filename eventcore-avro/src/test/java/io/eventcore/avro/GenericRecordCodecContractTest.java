package io.eventcore.avro;

import io.eventcore.codec.EventCodec;
import io.eventcore.test.EventCodecContract;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The codec contract with generic records, routed as {@link GenericRecord} and read with the
 * writer's own schema (no generic reader schema configured). The default garbage has no C3 01 marker.
 */
class GenericRecordCodecContractTest extends EventCodecContract {
    private static final Schema SCHEMA = io.eventcore.avro.test.v1.OrderPlaced.getClassSchema();

    private final EventCodec codec = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory(SCHEMA)).build();

    @Override
    protected EventCodec codec() {
        return codec;
    }

    @Override
    protected Class<?> payloadClass() {
        return GenericRecord.class;
    }

    @Override
    protected Object payload(int seed) {
        Schema lineSchema = SCHEMA.getField("lines").schema().getElementType();
        GenericData.Record line = new GenericData.Record(lineSchema);
        line.put("sku", "sku-" + seed);
        line.put("quantity", seed % 3 + 1);
        GenericData.Record order = new GenericData.Record(SCHEMA);
        order.put("orderId", "o-" + seed);
        order.put("customerId", "c-" + (seed % 7));
        order.put("amountCents", 1_000L + seed);
        order.put("itemCount", seed % 5 + 1);
        order.put("status", new GenericData.EnumSymbol(SCHEMA.getField("status").schema(), "PAID"));
        order.put("channel", new GenericData.EnumSymbol(SCHEMA.getField("channel").schema(), "WEB"));
        order.put("lines", new GenericData.Array<>(SCHEMA.getField("lines").schema(), List.of(line)));
        order.put("note", seed % 2 == 0 ? null : "note " + seed);
        return order;
    }
}
