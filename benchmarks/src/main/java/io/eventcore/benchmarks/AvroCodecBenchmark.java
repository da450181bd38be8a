package io.eventcore.benchmarks;

import io.eventcore.InboundMessage;
import io.eventcore.avro.AvroEventCodec;
import io.eventcore.avro.AvroSchemaStore;
import io.eventcore.benchmarks.avro.AvroLine;
import io.eventcore.benchmarks.avro.AvroOrderPlaced;
import io.eventcore.codec.EventCodec;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same OrderPlaced event as {@link RouterBenchmark} (six lines, address, note) decoded with
 * {@link AvroEventCodec} (single-object encoding, a generated class, decimals as
 * {@code BigDecimal}) next to eventcore's JSON codec, alone and through a bare router with a no-op
 * handler. Run with
 * {@code ./mvnw -q -DskipTests -Pjmh verify -pl benchmarks -am -Dbench.args="AvroCodecBenchmark -prof gc"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class AvroCodecBenchmark {
    private final EventCodec json = EventCodec.json();
    private final AvroEventCodec avro = AvroEventCodec.builder()
            .schemaStore(AvroSchemaStore.inMemory(AvroOrderPlaced.getClassSchema())).build();
    private byte[] jsonBytes;
    private byte[] avroBytes;
    private InboundMessage jsonMessage;
    private InboundMessage avroMessage;
    private EventRouter jsonRouter;
    private EventRouter avroRouter;

    @Setup(Level.Trial)
    public void setUp() {
        Payloads.OrderPlaced order = Payloads.order("order-1", 1);
        jsonBytes = json.encode(order);
        avroBytes = avro.encode(toAvro(order));
        jsonMessage = message(jsonBytes);
        avroMessage = message(avroBytes);
        jsonRouter = EventRouter.builder().codec(json).route(Payloads.OrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.none()).build();
        avroRouter = EventRouter.builder().codec(avro).route("OrderPlaced", AvroOrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.none()).build();
        System.out.printf("%nJSON %d bytes, Avro %d bytes%n", jsonBytes.length, avroBytes.length);
    }

    private static InboundMessage message(byte[] value) {
        return InboundMessage.builder("orders").key("order-1").value(value).header("event_type", "OrderPlaced")
                .offset(42).build();
    }

    static AvroOrderPlaced toAvro(Payloads.OrderPlaced o) {
        AvroOrderPlaced.Builder b = AvroOrderPlaced.newBuilder().setOrderId(o.orderId()).setCustomerId(o.customerId())
                .setCurrency(o.currency()).setTotal(o.total()).setStreet(o.street()).setCity(o.city())
                .setCountry(o.country()).setNote(o.note());
        b.setLines(o.lines().stream()
                .map(l -> new AvroLine(l.sku(), l.name(), l.quantity(), l.price()))
                .toList());
        return b.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jsonRouter.close();
        avroRouter.close();
    }

    /** eventcore's JSON codec on the 1.2 KB event. */
    @Benchmark
    public Object jsonDecode() {
        return json.decode(jsonBytes, Payloads.OrderPlaced.class, "OrderPlaced");
    }

    /** The Avro codec on the same event. */
    @Benchmark
    public Object avroDecode() {
        return avro.decode(avroBytes, AvroOrderPlaced.class, "OrderPlaced");
    }

    /** JSON decode and dispatch to a no-op handler (as {@code RouterBenchmark.dispatchBare}). */
    @Benchmark
    public DispatchResult jsonDispatch() {
        return jsonRouter.dispatch(jsonMessage).toCompletableFuture().join();
    }

    /** Avro decode and dispatch to a no-op handler. */
    @Benchmark
    public DispatchResult avroDispatch() {
        return avroRouter.dispatch(avroMessage).toCompletableFuture().join();
    }
}
