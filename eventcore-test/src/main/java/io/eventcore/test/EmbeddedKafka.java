package io.eventcore.test;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real single-node KRaft broker (Kafka's own test kit, running in this JVM), started on first use
 * and shared by every test of the JVM; it stops when the JVM exits. Runs on
 * {@code org.apache.kafka:kafka-test-common-runtime}, which eventcore-test brings (a declared dependency,
 * so adding eventcore-test is enough; the examples' build test of the README's coordinates checks it).
 *
 * <p>The broker listens on 127.0.0.1 only, creates topics on first use with 3 partitions, and has the
 * internal topics' replication factor set to 1 (without it consumers hang). Thread-safe.
 */
public final class EmbeddedKafka {
    private static KafkaClusterTestKit cluster;
    private static Admin admin;

    private EmbeddedKafka() {
    }

    /**
     * Starts the broker if needed.
     *
     * @return its bootstrap servers
     * @throws IllegalStateException if it cannot start
     */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            try {
                KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        // share groups (KIP-932): their state topic must fit one broker
                        .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                        .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                        .setConfigProp("group.share.min.heartbeat.interval.ms", "1000") // members join faster
                        .setConfigProp("group.share.heartbeat.interval.ms", "1000")
                        .setConfigProp("group.share.min.record.lock.duration.ms", "1000") // lets tests use short locks
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "true")
                        .setConfigProp("num.partitions", "3")
                        .build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                cluster = kit;
                admin = Admin.create(Map.of("bootstrap.servers", kit.bootstrapServers()));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        stop();
                    } catch (RuntimeException ignored) {
                        // JVM is exiting
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the embedded Kafka broker", e);
            }
        }
        return cluster.bootstrapServers();
    }

    /**
     * Stops the broker now instead of at JVM exit (for mains that exit with {@code System.exit}, where the
     * shutdown hooks of the broker and of its temporary directories would race). Does nothing if it is not
     * running; a later {@link #bootstrapServers()} starts a new one.
     */
    public static synchronized void stop() {
        if (cluster != null) {
            try {
                admin.close();
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop the embedded Kafka broker", e);
            } finally {
                cluster = null;
                admin = null;
            }
        }
    }

    /**
     * Creates topics and waits until every partition serves requests (see {@link KafkaTopics#create}).
     *
     * @param partitions partitions per topic
     * @param names topic names
     * @throws IllegalStateException if creation fails or leaders are not elected within 30 s
     */
    public static void createTopics(int partitions, String... names) {
        bootstrapServers();
        KafkaTopics.create(admin, partitions, Map.of(), names);
    }
}
