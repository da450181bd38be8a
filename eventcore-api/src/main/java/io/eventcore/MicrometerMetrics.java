package io.eventcore;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link EventMetrics} backed by a Micrometer {@link MeterRegistry}. Needs
 * {@code io.micrometer:micrometer-core} on the classpath (an optional dependency of
 * eventcore-api); nothing else in eventcore loads Micrometer classes.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>kind</th><th>tags</th></tr>
 *   <tr><td>{@code eventcore.events}</td><td>counter</td><td>{@code type}, {@code outcome}</td></tr>
 *   <tr><td>{@code eventcore.dispatch}</td><td>timer</td><td>{@code type}, {@code outcome}</td></tr>
 *   <tr><td>{@code eventcore.handler}</td><td>timer</td><td>{@code type}, {@code handler}, {@code result}
 *       ({@code success}/{@code failure})</td></tr>
 *   <tr><td>{@code eventcore.retries}</td><td>counter</td><td>{@code type}</td></tr>
 *   <tr><td>{@code eventcore.dead.letters}</td><td>counter</td><td>{@code type}, {@code exception}</td></tr>
 * </table>
 *
 * <p>Thread-safe.
 */
public final class MicrometerMetrics implements EventMetrics {
    private final MeterRegistry registry;

    private MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * @param registry the registry to publish to
     * @return metrics publishing to it
     */
    public static MicrometerMetrics of(MeterRegistry registry) {
        return new MicrometerMetrics(registry);
    }

    @Override
    public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
        String o = outcome.name().toLowerCase(java.util.Locale.ROOT);
        Counter.builder("eventcore.events").description("Dispatched messages by type and outcome")
                .tag("type", eventType).tag("outcome", o).register(registry).increment();
        Timer.builder("eventcore.dispatch").description("Time from dispatch to outcome, retries included")
                .tag("type", eventType).tag("outcome", o).register(registry).record(elapsed);
    }

    @Override
    public void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
        Timer.builder("eventcore.handler").description("Handler attempts")
                .tag("type", eventType).tag("handler", handlerName).tag("result", success ? "success" : "failure")
                .register(registry).record(elapsed);
    }

    @Override
    public void retried(String eventType, int attempt) {
        Counter.builder("eventcore.retries").description("Failed attempts that will be retried")
                .tag("type", eventType).register(registry).increment();
    }

    @Override
    public void deadLettered(String eventType, String exceptionClass) {
        Counter.builder("eventcore.dead.letters").description("Messages accepted by a dead-letter sink")
                .tag("type", eventType).tag("exception", exceptionClass).register(registry).increment();
    }
}
