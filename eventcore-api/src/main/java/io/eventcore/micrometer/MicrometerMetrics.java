package io.eventcore.micrometer;

import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxMetrics;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventMetrics;
import io.eventcore.transport.ConsumerMetrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link EventMetrics} backed by a Micrometer {@link MeterRegistry}. Needs
 * {@code io.micrometer:micrometer-core} on the classpath (an optional dependency of
 * eventcore-api); nothing else in eventcore loads Micrometer classes.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>kind</th><th>tags</th></tr>
 *   <tr><td>{@code eventcore.dispatch}</td><td>timer</td><td>{@code type}, {@code outcome}: its count is the
 *       number of dispatches</td></tr>
 *   <tr><td>{@code eventcore.handler}</td><td>timer</td><td>{@code type}, {@code handler}, {@code result}
 *       ({@code success}/{@code failure})</td></tr>
 *   <tr><td>{@code eventcore.retries}</td><td>counter</td><td>{@code type}</td></tr>
 *   <tr><td>{@code eventcore.dead.letters}</td><td>counter</td><td>{@code type}, {@code exception}</td></tr>
 *   <tr><td>{@code eventcore.outbox.publish}</td><td>timer</td><td>{@code outbox}: send-and-await time per batch</td></tr>
 *   <tr><td>{@code eventcore.outbox.batch.size}</td><td>distribution summary</td><td>{@code outbox}</td></tr>
 *   <tr><td>{@code eventcore.outbox.published}</td><td>counter</td><td>{@code outbox}</td></tr>
 *   <tr><td>{@code eventcore.outbox.retries}</td><td>counter</td><td>{@code outbox}</td></tr>
 *   <tr><td>{@code eventcore.outbox.dead}</td><td>counter</td><td>{@code outbox}: rows moved to the dead table</td></tr>
 *   <tr><td>{@code eventcore.outbox.leases}</td><td>counter</td><td>{@code outbox}, {@code change}
 *       ({@code acquired}/{@code lost}/{@code fenced})</td></tr>
 *   <tr><td>{@code eventcore.outbox.backlog}</td><td>gauge</td><td>{@code outbox}: pending rows</td></tr>
 *   <tr><td>{@code eventcore.outbox.oldest.age}</td><td>gauge (seconds)</td><td>{@code outbox}: age of the oldest
 *       pending row</td></tr>
 *   <tr><td>{@code eventcore.outbox.dead.rows}</td><td>gauge</td><td>{@code outbox}: rows in the dead table</td></tr>
 *   <tr><td>{@code eventcore.consumer.lag}</td><td>gauge</td><td>{@code group}, {@code topic}, {@code partition}:
 *       end offset minus committed offset</td></tr>
 *   <tr><td>{@code eventcore.consumer.paused}</td><td>gauge</td><td>{@code group}, {@code topic},
 *       {@code partition}: 1 while back-pressure pauses the partition</td></tr>
 *   <tr><td>{@code eventcore.consumer.in.flight}</td><td>gauge</td><td>{@code group}</td></tr>
 *   <tr><td>{@code eventcore.consumer.failures}</td><td>counter</td><td>{@code group}, {@code topic},
 *       {@code partition}, {@code exception}: failed rounds of unacknowledged records</td></tr>
 * </table>
 *
 * <p>{@code type} is a routed event type, or {@code _unknown} for every message no route handles, so that
 * unroutable input cannot add meters. {@code outbox} is {@value #DEFAULT_OUTBOX}, or the name given to
 * {@link #forOutbox}: give each relay of a shared registry its own.
 *
 * <p>One instance may serve a router, consumers and an outbox relay at the same time. A
 * partition's gauges are removed when its consumer releases it. The router's meters
 * ({@code eventcore.dispatch}, {@code eventcore.handler}) are registered
 * on first use and kept, so that recording allocates nothing; meters removed from the registry
 * later are not registered again by this instance.
 *
 * <p>Thread-safe.
 */
public final class MicrometerMetrics implements EventMetrics, OutboxMetrics, ConsumerMetrics {
    /** The {@code outbox} tag of an instance made by {@link #of}: {@value}. */
    public static final String DEFAULT_OUTBOX = "default";
    private final MeterRegistry registry;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong deadRows = new AtomicLong();
    private final AtomicBoolean gaugesRegistered = new AtomicBoolean();
    private final Map<List<String>, AtomicLong> partitionGauges = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> inFlightGauges = new ConcurrentHashMap<>();
    /** The router's meters, registered once per tag combination: a dispatch then only looks them up. */
    private final Map<String, Timer[]> dispatchMeters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Timer[]>> handlerTimers = new ConcurrentHashMap<>();

    /** The {@code outbox} tag of every {@code eventcore.outbox.*} meter. */
    private final Tags outboxTags;

    private MicrometerMetrics(MeterRegistry registry, String outbox) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.outboxTags = Tags.of("outbox", outbox);
    }

    /**
     * @param registry the registry to publish to
     * @return metrics publishing to it
     */
    public static MicrometerMetrics of(MeterRegistry registry) {
        return new MicrometerMetrics(registry, DEFAULT_OUTBOX);
    }

    /**
     * Metrics for one more outbox relay on the same registry: its {@code eventcore.outbox.*} meters carry
     * {@code outbox=<name>}, so that relays of several outbox tables do not share (and overwrite) one set of
     * gauges. Give each relay its own; the router and consumer meters are the same as this instance's.
     *
     * @param outbox a low-cardinality name of the relay or its table, not blank, e.g. {@code orders}
     * @return metrics publishing to the same registry
     * @throws IllegalArgumentException if the name is blank
     */
    public MicrometerMetrics forOutbox(String outbox) {
        return new MicrometerMetrics(registry, io.eventcore.internal.Checks.notBlank("outbox", outbox));
    }

    @Override
    public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
        Timer[] byOutcome = dispatchMeters.computeIfAbsent(eventType,
                t -> new Timer[DispatchOutcome.values().length]);
        Timer meters = byOutcome[outcome.ordinal()];
        if (meters == null) {
            // A race registers twice at worst, and the registry hands both the same meters.
            String o = outcome.name().toLowerCase(java.util.Locale.ROOT);
            // The timer's count is the number of dispatches: no separate counter duplicates it.
            meters = Timer.builder("eventcore.dispatch").description("Time from dispatch to outcome, retries included")
                    .tag("type", eventType).tag("outcome", o).register(registry);
            byOutcome[outcome.ordinal()] = meters;
        }
        meters.record(elapsed);
    }

    @Override
    public void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
        Timer[] byResult = handlerTimers.computeIfAbsent(eventType, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(handlerName, h -> new Timer[2]);
        int result = success ? 0 : 1;
        Timer timer = byResult[result];
        if (timer == null) {
            timer = Timer.builder("eventcore.handler").description("Handler attempts")
                    .tag("type", eventType).tag("handler", handlerName).tag("result", success ? "success" : "failure")
                    .register(registry);
            byResult[result] = timer;
        }
        timer.record(elapsed);
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

    @Override
    public void batchPublished(int size, int published, Duration elapsed) {
        Timer.builder("eventcore.outbox.publish").description("Outbox relay send-and-await time per batch")
                .tags(outboxTags).register(registry).record(elapsed);
        DistributionSummary.builder("eventcore.outbox.batch.size").description("Rows per outbox relay batch")
                .tags(outboxTags).register(registry).record(size);
        Counter.builder("eventcore.outbox.published").description("Outbox rows acknowledged by the broker")
                .tags(outboxTags).register(registry).increment(published);
    }

    @Override
    public void retried(int count) {
        Counter.builder("eventcore.outbox.retries").description("Outbox rows that failed and will be retried")
                .tags(outboxTags).register(registry).increment(count);
    }

    @Override
    public void dead(int count) {
        Counter.builder("eventcore.outbox.dead").description("Outbox rows moved to the dead table")
                .tags(outboxTags).register(registry).increment(count);
    }

    @Override
    public void leaseAcquired(int shard) {
        leaseChange("acquired");
    }

    @Override
    public void leaseLost(int shard) {
        leaseChange("lost");
    }

    @Override
    public void fenceRejected(int shard) {
        leaseChange("fenced");
    }

    private void leaseChange(String change) {
        Counter.builder("eventcore.outbox.leases").description("Outbox shard lease changes")
                .tag("change", change).tags(outboxTags).register(registry).increment();
    }

    @Override
    public void backlog(long pending, Duration oldestAge, long dead) {
        if (gaugesRegistered.compareAndSet(false, true)) {
            Gauge.builder("eventcore.outbox.backlog", backlog, AtomicLong::get)
                    .description("Pending outbox rows").tags(outboxTags).register(registry);
            Gauge.builder("eventcore.outbox.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0)
                    .description("Age of the oldest pending outbox row").baseUnit("seconds").tags(outboxTags).register(registry);
            Gauge.builder("eventcore.outbox.dead.rows", deadRows, AtomicLong::get)
                    .description("Rows in the outbox dead table").tags(outboxTags).register(registry);
        }
        backlog.set(pending);
        oldestAgeMillis.set(oldestAge.toMillis());
        deadRows.set(dead);
    }

    @Override
    public void partitionLag(String group, String topic, int partition, long lag) {
        partitionGauge("eventcore.consumer.lag", "End offset minus committed offset", group, topic, partition)
                .set(lag);
    }

    @Override
    public void partitionPaused(String group, String topic, int partition, boolean paused) {
        partitionGauge("eventcore.consumer.paused", "1 while back-pressure pauses the partition", group, topic,
                partition).set(paused ? 1 : 0);
    }

    @Override
    public void inFlight(String group, int records) {
        inFlightGauges.computeIfAbsent(group, g -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("eventcore.consumer.in.flight", value, AtomicLong::get)
                    .description("Records handed to workers and not yet settled").tag("group", g).register(registry);
            return value;
        }).set(records);
    }

    @Override
    public void recordFailed(String group, String topic, int partition, String exceptionClass) {
        Counter.builder("eventcore.consumer.failures").description("Failed rounds of unacknowledged records")
                .tag("group", group).tag("topic", topic).tag("partition", Integer.toString(partition))
                .tag("exception", exceptionClass).register(registry).increment();
    }

    @Override
    public void partitionReleased(String group, String topic, int partition) {
        for (String name : List.of("eventcore.consumer.lag", "eventcore.consumer.paused")) {
            if (partitionGauges.remove(List.of(name, group, topic, Integer.toString(partition))) != null) {
                registry.find(name).tag("group", group).tag("topic", topic)
                        .tag("partition", Integer.toString(partition)).meters().forEach(registry::remove);
            }
        }
    }

    private AtomicLong partitionGauge(String name, String description, String group, String topic, int partition) {
        String p = Integer.toString(partition);
        return partitionGauges.computeIfAbsent(List.of(name, group, topic, p), k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).description(description)
                    .tag("group", group).tag("topic", topic).tag("partition", p).register(registry);
            return value;
        });
    }
}
