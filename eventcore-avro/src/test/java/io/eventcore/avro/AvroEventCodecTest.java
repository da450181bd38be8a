package io.eventcore.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.EventcoreException;
import io.eventcore.avro.test.v1.OrderPlaced;
import io.eventcore.codec.DecodeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.Test;

class AvroEventCodecTest {
    private static final String TYPE = "OrderPlaced";

    private final InMemoryAvroSchemaStore store = AvroSchemaStore.inMemory();
    private final AvroEventCodec codec = AvroEventCodec.builder().schemaStore(store).build();

    @Test
    void encoding_isAvroSingleObjectEncoding_byteForByteAsAvrosOwnEncoder() throws Exception {
        // (Decoding with Avro's own generated fromByteBuffer would need org.apache.avro.SERIALIZABLE_PACKAGES.)
        OrderPlaced order = Orders.v1(1);
        byte[] bytes = codec.encode(order);
        ByteBuffer avro = order.toByteBuffer(); // Avro's BinaryMessageEncoder
        byte[] expected = new byte[avro.remaining()];
        avro.get(expected);
        assertThat(bytes).isEqualTo(expected);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(AvroSchemaStore.fingerprint(OrderPlaced.getClassSchema()));
    }

    @Test
    void encoding_registersTheWriterSchemaInTheStore() {
        codec.encode(Orders.v1(2));
        assertThat(store.findByFingerprint(AvroSchemaStore.fingerprint(OrderPlaced.getClassSchema())))
                .isEqualTo(OrderPlaced.getClassSchema());
    }

    @Test
    void recordWrittenWithTheReadersOwnSchema_decodesWithAnEmptyStore() {
        byte[] bytes = codec.encode(Orders.v1(3));
        AvroEventCodec empty = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();
        assertThat(empty.decode(bytes, OrderPlaced.class, TYPE)).isEqualTo(Orders.v1(3));
    }

    @Test
    void unknownFingerprint_isADecodeException_namingIt_keepingTheBytes() {
        byte[] bytes = codec.encode(Orders.v1(4));
        AvroEventCodec other = AvroEventCodec.builder().schemaStore(AvroSchemaStore.inMemory()).build();
        bytes[2] ^= 0x55; // another fingerprint
        assertThatThrownBy(() -> other.decode(bytes, OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class).hasMessageContaining("unknown Avro schema")
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes))
                .satisfies(e -> assertThat(((DecodeException) e).eventType()).isEqualTo(TYPE));
    }

    @Test
    void wrongMarker_shortHeader_justTheMarker_andTrailingBytes_areDecodeExceptions() {
        byte[] good = codec.encode(Orders.v1(5));
        byte[] wrongMarker = good.clone();
        wrongMarker[1] = 0x02;
        assertRejected(wrongMarker, "marker C3 01");
        assertRejected(new byte[] {(byte) 0xC3}, "marker C3 01");
        assertRejected(new byte[] {(byte) 0xC3, 0x01}, "fewer than the 10-byte");
        assertRejected(Arrays.copyOf(good, 9), "fewer than the 10-byte");
        assertRejected(Arrays.copyOf(good, 10), "EOF");
        assertRejected(Arrays.copyOf(good, good.length + 1), "bytes after the Avro datum");
        assertRejected(new byte[0], "empty");
    }

    @Test
    void hugeDeclaredLength_inGarbage_failsFast_withoutAllocatingIt() {
        byte[] header = Arrays.copyOf(codec.encode(Orders.v1(6)), 10);
        // orderId's length as a zig-zag varint of ~1 GiB, then nothing.
        byte[] bytes = Arrays.copyOf(header, 15);
        bytes[10] = (byte) 0xFE;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) 0xFF;
        bytes[13] = (byte) 0xFF;
        bytes[14] = 0x07;
        assertRejected(bytes, "bytes");
    }

    private void assertRejected(byte[] bytes, String why) {
        assertThatThrownBy(() -> codec.decode(bytes, OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class).hasMessageContaining(why)
                .satisfies(e -> assertThat(((DecodeException) e).rawBytes()).isEqualTo(bytes));
    }

    @Test
    void nullValue_isADecodeException() {
        assertThatThrownBy(() -> codec.decode(null, OrderPlaced.class, TYPE))
                .isInstanceOf(DecodeException.class).hasMessageContaining("null value");
    }

    @Test
    void routeClassThatIsNoAvroRecord_isADecodeException() {
        byte[] bytes = codec.encode(Orders.v1(7));
        assertThatThrownBy(() -> codec.decode(bytes, String.class, TYPE))
                .isInstanceOf(DecodeException.class).hasMessageContaining("neither a generated SpecificRecord");
    }

    @Test
    void encodingSomethingElse_orARecordBreakingItsSchema_isAnEventcoreException() {
        assertThatThrownBy(() -> codec.encode("not a record"))
                .isInstanceOf(EventcoreException.class).hasMessageContaining("Avro records only");
        OrderPlaced broken = Orders.v1(8);
        broken.setOrderId(null);
        assertThatThrownBy(() -> codec.encode(broken))
                .isInstanceOf(EventcoreException.class).hasMessageContaining("orderId");
    }

    @Test
    void readOnlyStore_withoutTheWriterSchema_refusesToEncode() {
        AvroEventCodec shipped = AvroEventCodec.builder()
                .schemaStore(AvroSchemaStore.classpath("schemas/orders/order-v2.avsc")).build();
        assertThat(shipped.encode(Orders.v2(1))).isNotEmpty();
        assertThatThrownBy(() -> shipped.encode(Orders.v1(1)))
                .isInstanceOf(EventcoreException.class).hasMessageContaining("read-only")
                .hasMessageContaining("io.eventcore.avro.test.v1.OrderPlaced");
    }

    @Test
    void genericRoute_withoutAReaderSchema_readsTheRecordAsWritten() {
        GenericRecord read = codec.decode(codec.encode(Orders.v1(9)), GenericRecord.class, TYPE);
        assertThat(read.getSchema()).isEqualTo(OrderPlaced.getClassSchema());
        assertThat(read.get("orderId")).hasToString("o-9");
        assertThat(codec.decode(codec.encode(Orders.v1(9)), GenericData.Record.class, TYPE).get("note"))
                .hasToString("leave at the door 9");
    }

    @Test
    void genericRoute_withAReaderSchema_resolvesIntoIt_perEventType() {
        Schema v2 = io.eventcore.avro.test.v2.OrderPlaced.getClassSchema();
        AvroEventCodec generic = AvroEventCodec.builder().schemaStore(store).genericReaderSchema(TYPE, v2).build();
        byte[] bytes = codec.encode(Orders.v1(10));
        GenericRecord read = generic.decode(bytes, GenericRecord.class, TYPE);
        assertThat(read.getSchema()).isEqualTo(v2);
        assertThat(read.get("currency")).hasToString("EUR");
        assertThat(read.hasField("note")).isFalse();
        assertThat(generic.decode(bytes, GenericRecord.class, "OtherType").getSchema())
                .isEqualTo(OrderPlaced.getClassSchema());
    }

    @Test
    void genericRecords_encode_andSpecificRoutesReadThem() {
        GenericRecord line = new GenericRecordBuilder(io.eventcore.avro.test.v1.OrderLine.getClassSchema())
                .set("sku", "s").set("quantity", 1).build();
        Schema schema = OrderPlaced.getClassSchema();
        GenericRecord record = new GenericRecordBuilder(schema).set("orderId", "o-g").set("customerId", "c")
                .set("amountCents", 5L).set("itemCount", 1)
                .set("status", new GenericData.EnumSymbol(schema.getField("status").schema(), "PLACED"))
                .set("channel", new GenericData.EnumSymbol(schema.getField("channel").schema(), "STORE"))
                .set("lines", java.util.List.of(line)).build();
        OrderPlaced read = codec.decode(codec.encode(record), OrderPlaced.class, TYPE);
        assertThat(read.getOrderId()).isEqualTo("o-g");
        assertThat(read.getChannel()).isEqualTo(io.eventcore.avro.test.v1.Channel.STORE);
    }

    @Test
    void contentType_isAvroBinary() {
        assertThat(codec.contentType()).isEqualTo("application/vnd.apache.avro+binary");
    }

    @Test
    void builder_rejectsMissingStore_repeatedSettings_andBadReaderSchemas() {
        assertThatThrownBy(() -> AvroEventCodec.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("schemaStore");
        assertThatThrownBy(() -> AvroEventCodec.builder().schemaStore(store).schemaStore(store))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("schemaStore");
        Schema record = OrderPlaced.getClassSchema();
        assertThatThrownBy(() -> AvroEventCodec.builder().genericReaderSchema(" ", record))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventType");
        assertThatThrownBy(() -> AvroEventCodec.builder().genericReaderSchema(TYPE, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRING");
        assertThatThrownBy(() -> AvroEventCodec.builder().genericReaderSchema(TYPE, record).genericReaderSchema(TYPE, record))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(TYPE);
    }
}
