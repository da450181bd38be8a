package io.eventcore.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Whether a Kafka client can reach any broker, from its own {@code connection-count} metric: a client of a
 * live cluster always holds a connection (fetch sessions, heartbeats, metadata), so a count that stays at zero
 * for {@link #UNREACHABLE_AFTER} means that no broker answers. {@code poll} returns empty records both when
 * there is nothing to read and when the brokers are gone; this tells the two apart for {@code health()}.
 *
 * <p>{@link #sample} on the client's own thread; {@link #unreachable()} from any thread. A client without
 * the metric (a {@code MockConsumer}) is never reported unreachable.
 */
final class BrokerLink {
    /** How long without any broker connection before health reports the brokers unreachable. */
    static final Duration UNREACHABLE_AFTER = Duration.ofSeconds(10);

    private final long boundNanos;
    private volatile Metric connections;
    private int lookups;
    private volatile long lastConnected = System.nanoTime();

    BrokerLink() {
        this(UNREACHABLE_AFTER);
    }

    BrokerLink(Duration bound) {
        this.boundNanos = bound.toNanos();
    }

    /** Reads the connection count; client thread only. */
    void sample(Supplier<Map<MetricName, ? extends Metric>> clientMetrics) {
        if (connections == null && lookups < 100) {
            lookups++; // the network thread may register it after the first polls: look a while, then stop
            connections = find(clientMetrics.get());
        }
        if (connections == null || connections.metricValue() instanceof Double count && count > 0) {
            lastConnected = System.nanoTime();
        }
    }

    /** @return whether the client's {@code connection-count} is 0 (false when the client has no such metric) */
    static boolean noConnection(Map<MetricName, ? extends Metric> metrics) {
        Metric count = find(metrics);
        return count != null && count.metricValue() instanceof Double n && n == 0;
    }

    private static Metric find(Map<MetricName, ? extends Metric> metrics) {
        Metric any = null;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals("connection-count")) {
                if (e.getKey().group().equals("consumer-metrics")) {
                    return e.getValue();
                }
                any = any == null ? e.getValue() : any;
            }
        }
        return any;
    }

    /** @return why no broker is reachable, or {@code null} while one is (or was, within the bound) */
    String unreachable() {
        Metric count = connections;
        if (count != null && count.metricValue() instanceof Double n && n > 0) {
            lastConnected = System.nanoTime(); // connected now, even while the client's thread is busy (a rebalance)
            return null;
        }
        long away = System.nanoTime() - lastConnected;
        if (away <= boundNanos) {
            return null;
        }
        return "no broker reachable for " + Duration.ofNanos(away).toSeconds()
                + " s (no connection to any broker); consuming resumes by itself when one answers";
    }
}
