package io.eventcore.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Producer on one schema version, consumer on another: each process has its own codec. The
 * producer's store is in memory; the consumer's is loaded from the .avsc files on the classpath,
 * as a consumer that ships every schema version would have it. See docs/payload-formats-avro.md.
 */
class SchemaEvolutionTest {
    private static final String TYPE = "OrderPlaced";

    private final EventCodec producer = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();
    private final EventCodec consumer = AvroEventCodec.builder()
            .schemaStore(AvroSchemaStore.classpath("schemas/orders")).build();

    private <T> T consume(Object written, Class<T> readerClass) {
        return consumer.decode(producer.encode(written), readerClass, TYPE);
    }

    @Test
    void v1ToV2_fieldAddedWithDefault_takesTheDefault_andTheRemovedFieldIsDropped() {
        io.eventcore.avro.test.v2.OrderPlaced read = consume(Orders.v1(3), io.eventcore.avro.test.v2.OrderPlaced.class);
        assertThat(read.getCurrency()).isEqualTo("EUR");
        assertThat(read.getOrderId()).isEqualTo("o-3");
        assertThat(read.getAmountCents()).isEqualTo(1_003L);
        assertThat(read.getLines()).extracting(io.eventcore.avro.test.v2.OrderLine::getSku).containsExactly("sku-3");
    }

    @Test
    void v1ToV2_enumThatGrew_readsTheWrittenSymbols() {
        io.eventcore.avro.test.v2.OrderPlaced read = consume(Orders.v1(4), io.eventcore.avro.test.v2.OrderPlaced.class);
        assertThat(read.getStatus()).isEqualTo(io.eventcore.avro.test.v2.OrderStatus.PAID);
        assertThat(read.getChannel()).isEqualTo(io.eventcore.avro.test.v2.Channel.WEB);
    }

    @Test
    void v2ToV1_fieldMissingFromTheWriter_takesTheReadersDefault_andTheNewFieldIsSkipped() {
        io.eventcore.avro.test.v1.OrderPlaced read = consume(Orders.v2(5), io.eventcore.avro.test.v1.OrderPlaced.class);
        assertThat(read.getNote()).isNull();
        assertThat(read.getOrderId()).isEqualTo("o-5");
        assertThat(read.getChannel()).isEqualTo(io.eventcore.avro.test.v1.Channel.STORE);
    }

    @Test
    void v2ToV1_unknownEnumSymbol_withAnEnumDefault_mapsToTheDefault() {
        io.eventcore.avro.test.v2.OrderPlaced shipped = Orders.v2(6);
        shipped.setStatus(io.eventcore.avro.test.v2.OrderStatus.SHIPPED);
        io.eventcore.avro.test.v1.OrderPlaced read = consume(shipped, io.eventcore.avro.test.v1.OrderPlaced.class);
        assertThat(read.getStatus()).isEqualTo(io.eventcore.avro.test.v1.OrderStatus.PLACED);
    }

    @Test
    void v2ToV1_unknownEnumSymbol_withoutAnEnumDefault_isADecodeException_keepingTheBytes() {
        io.eventcore.avro.test.v2.OrderPlaced byPhone = Orders.v2(7);
        byPhone.setChannel(io.eventcore.avro.test.v2.Channel.PHONE);
        byte[] bytes = producer.encode(byPhone);
        assertThatThrownBy(() -> consumer.decode(bytes, io.eventcore.avro.test.v1.OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("PHONE")
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes));
    }

    @Test
    void v1ToV3_fieldAddedWithoutDefault_isADecodeException() {
        byte[] bytes = producer.encode(Orders.v1(8));
        assertThatThrownBy(() -> consumer.decode(bytes, io.eventcore.avro.test.v3.OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("warehouse")
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes));
    }

    @Test
    void v1ToV4_typeChangedFromStringToInt_isADecodeException() {
        byte[] bytes = producer.encode(Orders.v1(9));
        assertThatThrownBy(() -> consumer.decode(bytes, io.eventcore.avro.test.v4.OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("expecting int").hasMessageContaining("/fields/1/type")
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes));
    }

    @Test
    void intWidenedToLong_isPromoted_butLongNarrowedToInt_isADecodeException() {
        Schema narrow = itemCount("narrow", "int");
        Schema wide = itemCount("wide", "long");
        EventCodec widening = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory(narrow))
                .genericReaderSchema(TYPE, wide).build();
        GenericRecord read = widening.decode(producer.encode(order(narrow, 41)), GenericRecord.class, TYPE);
        assertThat(read.get("itemCount")).isEqualTo(41L);

        EventCodec narrowing = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory(wide))
                .genericReaderSchema(TYPE, narrow).build();
        byte[] bytes = producer.encode(order(wide, 41L));
        assertThatThrownBy(() -> narrowing.decode(bytes, GenericRecord.class, TYPE))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void sameSchemaVersion_roundTripsUnchanged() {
        assertThat(consume(Orders.v2(10), io.eventcore.avro.test.v2.OrderPlaced.class)).isEqualTo(Orders.v2(10));
        assertThat(consume(Orders.v1(10), io.eventcore.avro.test.v1.OrderPlaced.class)).isEqualTo(Orders.v1(10));
    }

    private static Schema itemCount(String namespace, String type) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"OrderPlaced\",\"namespace\":\"" + namespace
                + "\",\"fields\":[{\"name\":\"orderId\",\"type\":\"string\"},{\"name\":\"itemCount\",\"type\":\""
                + type + "\"}]}");
    }

    private static GenericRecord order(Schema schema, Object itemCount) {
        GenericData.Record order = new GenericData.Record(schema);
        order.put("orderId", "o-1");
        order.put("itemCount", itemCount);
        return order;
    }
}
