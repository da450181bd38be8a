package io.eventcore.benchmarks;

import io.eventcore.routing.DispatchResult;
import io.eventcore.codec.EventCodec;
import io.eventcore.EventHeaders;
import io.eventcore.routing.EventRouter;
import io.eventcore.InboundMessage;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.retry.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
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
 * Router dispatch of one 1.2 KB JSON event, next to the cost of decoding that event alone. Run with
 * {@code ./mvnw -q -DskipTests -Pjmh verify -Dbench.args="RouterBenchmark -prof gc"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class RouterBenchmark {
    private final EventCodec codec = EventCodec.json();
    private byte[] json;
    private InboundMessage message;
    private EventRouter bare;
    private EventRouter full;

    @Setup(Level.Trial)
    public void setUp() {
        json = Payloads.json(codec, "order-1", 1);
        message = InboundMessage.builder("orders").partition(0).offset(42).key("order-1").value(json)
                .header(EventHeaders.EVENT_TYPE, "OrderPlaced").header(EventHeaders.EVENT_ID, "e-1").build();
        bare = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.none()).build();
        full = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> { })
                .retry(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).maxAttempts(5))
                .middleware((event, ctx, chain) -> chain.proceed(event, ctx))
                .metrics(MicrometerMetrics.of(new SimpleMeterRegistry()))
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bare.close();
        full.close();
    }

    /** Baseline: decoding the event with the same codec the router uses. */
    @Benchmark
    public Object decodeOnly() {
        return codec.decode(json, Payloads.OrderPlaced.class, "OrderPlaced");
    }

    /** Dispatch (type resolution, decode, chain, no-op handler) without metrics or retries. */
    @Benchmark
    public DispatchResult dispatchBare() {
        return bare.dispatch(message).toCompletableFuture().join();
    }

    /** Dispatch with Micrometer metrics, a retry policy and one user middleware. */
    @Benchmark
    public DispatchResult dispatchWithMetricsRetryAndMiddleware() {
        return full.dispatch(message).toCompletableFuture().join();
    }
}
