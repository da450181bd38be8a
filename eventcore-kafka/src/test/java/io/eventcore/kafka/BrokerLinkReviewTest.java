package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/**
 * Review: BrokerLink judges "no broker reachable" by the time since the poll thread last sampled, not by the
 * connection count. A poll thread held inside poll() (onPartitionsRevoked draining for up to drain-timeout, then
 * commitSync) with healthy connections is reported DISCONNECTED (Spring: DOWN).
 */
class BrokerLinkReviewTest {

    /** A consumer that holds one broker connection all along. */
    /** Both a Consumer and a metrics supplier, so that it fits sample(Consumer) and sample(Supplier) alike. */
    static final class Connected extends MockConsumer<byte[], byte[]>
            implements Supplier<Map<MetricName, ? extends Metric>> {
        @Override
        public Map<MetricName, ? extends Metric> get() {
            return metrics();
        }

        Connected() {
            super("earliest");
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            MetricName name = new MetricName("connection-count", "consumer-metrics", "", Map.of());
            Metric one = new Metric() {
                @Override
                public MetricName metricName() {
                    return name;
                }

                @Override
                public Object metricValue() {
                    return 1.0;
                }
            };
            return Map.of(name, one);
        }
    }

    @Test
    void aConnectedConsumerWhosePollThreadIsBusy_isNotReportedUnreachable() throws InterruptedException {
        BrokerLink link = new BrokerLink(Duration.ofMillis(200));
        Connected consumer = new Connected();
        link.sample(consumer); // connection-count 1
        Thread.sleep(400); // the poll thread is inside poll(): a revocation drains in-flight work
        assertThat(BrokerLink.noConnection(consumer.metrics())).as("the client is connected").isFalse();
        assertThat(link.unreachable()).as("health says no broker reachable while connection-count is 1").isNull();
    }
}
