package io.eventcore.benchmarks;

import io.eventcore.avro.AvroEventCodec;
import io.eventcore.avro.AvroSchemaStore;
import io.eventcore.benchmarks.avro.AvroLine;
import io.eventcore.benchmarks.avro.AvroOrderPlaced;
import io.eventcore.codec.EventCodec;
import io.eventcore.protobuf.ProtobufEventCodec;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same OrderPlaced event (six order lines, an address, a note: {@link Payloads#order}) in each
 * payload format: encoding, decoding with eventcore's codec, and conversion plus dispatch through a
 * bare router to a no-op handler (as {@link RouterBenchmark#dispatchBare()}). The input is the record
 * {@code KafkaEventPublisher} writes with that format's codec ({@link PublishedRecords}). To add a
 * format, add its name to {@link #format} and a case to {@link Format#of}. Run with
 * {@code ./mvnw -q -DskipTests -Pjmh verify -pl benchmarks -am -Dbench.args="CodecBenchmark -prof gc"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class CodecBenchmark {
    /**
     * The payload format: {@code json} (Jackson, the default codec), {@code protobuf} (the default
     * {@link ProtobufEventCodec}, which checks wire types), {@code protobufUnchecked} (without that
     * check: protobuf's own parse alone), {@code avro} ({@link AvroEventCodec}, single-object encoding, a
     * generated specific record with decimals as {@code BigDecimal}).
     */
    @Param({"json", "protobuf", "protobufUnchecked", "avro"})
    public String format;

    private Format selected;
    private ConsumerRecord<byte[], byte[]> record;
    private EventRouter bare;

    /** One format: its codec, its class of the event and the event in that class. */
    record Format(EventCodec codec, Class<?> payloadClass, Object payload) {
        static Format of(String name) {
            Payloads.OrderPlaced order = Payloads.order("order-1", 1);
            switch (name) {
                case "json":
                    return new Format(EventCodec.json(), Payloads.OrderPlaced.class, order);
                case "protobuf":
                    return new Format(ProtobufEventCodec.builder().build(),
                            io.eventcore.benchmarks.proto.OrderPlaced.class, ProtoPayloads.of(order));
                case "protobufUnchecked":
                    return new Format(ProtobufEventCodec.builder().failOnWireTypeMismatch(false).build(),
                            io.eventcore.benchmarks.proto.OrderPlaced.class, ProtoPayloads.of(order));
                case "avro":
                    return new Format(AvroEventCodec.builder()
                            .schemaStore(AvroSchemaStore.inMemory(AvroOrderPlaced.getClassSchema())).build(),
                            AvroOrderPlaced.class, toAvro(order));
                default:
                    throw new IllegalArgumentException("unknown format '" + name + "'");
            }
        }
    }

    static AvroOrderPlaced toAvro(Payloads.OrderPlaced o) {
        AvroOrderPlaced.Builder b = AvroOrderPlaced.newBuilder().setOrderId(o.orderId()).setCustomerId(o.customerId())
                .setCurrency(o.currency()).setTotal(o.total()).setStreet(o.street()).setCity(o.city())
                .setCountry(o.country()).setNote(o.note());
        b.setLines(o.lines().stream().map(l -> new AvroLine(l.sku(), l.name(), l.quantity(), l.price())).toList());
        return b.build();
    }

    @Setup(Level.Trial)
    public void setUp() {
        selected = Format.of(format);
        ProducerRecord<byte[], byte[]> sent = PublishedRecords.record("orders", "order-1", 1, selected.payload(),
                selected.codec(), Map.of());
        record = new ConsumerRecord<>("orders", 3, 42L, Instant.now().toEpochMilli(), TimestampType.CREATE_TIME,
                sent.key().length, sent.value().length, sent.key(), sent.value(), sent.headers(), Optional.empty());
        bare = router(selected.codec(), selected.payloadClass());
        DispatchResult check = decodeAndDispatch();
        if (check.outcome() != io.eventcore.routing.DispatchOutcome.SUCCEEDED) {
            throw new IllegalStateException(format + ": the benchmark's dispatch does not succeed: " + check);
        }
        System.out.println(format + ": value of " + record.value().length + " bytes");
    }

    private static <T> EventRouter router(EventCodec codec, Class<T> payloadClass) {
        // The route's type is the one the publisher wrote for this class (AvroOrderPlaced for the Avro class).
        return EventRouter.builder().codec(codec).route(io.eventcore.Event.typeOf(payloadClass), payloadClass,
                (e, c) -> { }).retry(RetryPolicy.none()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
    }

    /** The publisher's side: the payload to bytes. */
    @Benchmark
    public byte[] encode() {
        return selected.codec().encode(selected.payload());
    }

    /** The record value to the payload, with eventcore's codec. */
    @Benchmark
    public Object decode() {
        return selected.codec().decode(record.value(), selected.payloadClass(), "OrderPlaced");
    }

    /** Record conversion, type resolution from the header, decode, chain and a no-op handler. */
    @Benchmark
    public DispatchResult decodeAndDispatch() {
        return bare.dispatch(RouterBenchmark.toMessage(record, "billing")).toCompletableFuture().join();
    }
}
