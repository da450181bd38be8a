package io.eventcore.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.codec.EventCodec;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
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
 * Router dispatch of one 1.2 KB JSON event, next to what a user's own loop would do with it. The
 * input is a Kafka record exactly as {@code KafkaEventPublisher} writes it (key, {@code event_type},
 * {@code event_id}, {@code produced_at}, {@code content_type}) plus a {@code traceparent} header; each
 * dispatch first turns it into an {@link InboundMessage} as the Kafka consumer does. Run with
 * {@code ./mvnw -q -DskipTests -Pjmh verify -pl benchmarks -am -Dbench.args="RouterBenchmark -prof gc"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class RouterBenchmark {
    private final EventCodec codec = EventCodec.json();
    /** What a user writes: a default mapper and a reader cached for the record class. */
    private final ObjectReader reader = new ObjectMapper().readerFor(Payloads.OrderPlaced.class);
    private ConsumerRecord<byte[], byte[]> record;
    private EventRouter bare;
    private EventRouter full;
    private EventRouter raw;

    @Setup(Level.Trial)
    public void setUp() {
        // The publisher's own encoding (OutboundMessage.of) plus a traceparent, as the harness sends it.
        ProducerRecord<byte[], byte[]> sent = PublishedRecords.record("orders", "order-1", 1, codec, Map.of());
        record = new ConsumerRecord<>("orders", 3, 42L, Instant.now().toEpochMilli(), TimestampType.CREATE_TIME,
                sent.key().length, sent.value().length, sent.key(), sent.value(), sent.headers(), Optional.empty());
        bare = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.none()).build();
        full = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).maxAttempts(5))
                .middleware((e, ctx, chain) -> chain.proceed(e, ctx))
                .metrics(MicrometerMetrics.of(new SimpleMeterRegistry()))
                .build();
        raw = EventRouter.builder().routeRaw("OrderPlaced", (m, c) -> { }).retry(RetryPolicy.none()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
        full.close();
        raw.close();
    }

    /** The consumer's conversion of a record, as {@code KafkaRecords.toMessage} does it: nothing copied. */
    static InboundMessage toMessage(ConsumerRecord<byte[], byte[]> r, String group) {
        Header[] raw = r.headers().toArray();
        List<MessageHeader> headers = new ArrayList<>(raw.length);
        for (Header h : raw) {
            headers.add(MessageHeader.wrap(h.key(), h.value()));
        }
        return InboundMessage.wrap(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), group,
                r.key(), r.value(), headers);
    }

    /** Baseline: what a user's loop does, a default {@code ObjectMapper}'s cached reader on the bytes. */
    @Benchmark
    public Object decodeOnly() throws IOException {
        return reader.readValue(record.value());
    }

    /** Reference: decoding with eventcore's codec (strict duplicate detection, parser limits). */
    @Benchmark
    public Object decodeWithEventcoreCodec() {
        return codec.decode(record.value(), Payloads.OrderPlaced.class, "OrderPlaced");
    }

    /** The consumer's record conversion alone, which every dispatch below includes. */
    @Benchmark
    public InboundMessage toMessageOnly() {
        return toMessage(record, "billing");
    }

    /** Conversion and dispatch (type resolution, decode, chain, no-op handler), no metrics or retries. */
    @Benchmark
    public DispatchResult dispatchBare() {
        return bare.dispatch(toMessage(record, "billing")).toCompletableFuture().join();
    }

    /** Conversion and dispatch with Micrometer metrics, a retry policy and one user middleware. */
    @Benchmark
    public DispatchResult dispatchWithMetricsRetryAndMiddleware() {
        return full.dispatch(toMessage(record, "billing")).toCompletableFuture().join();
    }

    /** Conversion and dispatch to a raw route: type matched on the header's bytes, nothing decoded. */
    @Benchmark
    public DispatchResult dispatchRawNoDecode() {
        return raw.dispatch(toMessage(record, "billing")).toCompletableFuture().join();
    }
}
