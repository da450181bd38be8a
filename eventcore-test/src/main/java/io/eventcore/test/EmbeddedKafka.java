package io.eventcore.test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real single-node KRaft broker (Kafka's own test kit, running in this JVM), started on first use
 * and shared by every test of the JVM; it stops when the JVM exits. Needs
 * {@code org.apache.kafka:kafka-test-common-runtime} on the test classpath (an optional dependency of
 * eventcore-test).
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

    private static boolean allLed(String... names) throws Exception {
        try {
            return allLedOrFail(names);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
                return false; // metadata or the partition itself has not caught up with the creation yet
            }
            throw e;
        }
    }

    private static boolean allLedOrFail(String... names) throws Exception {
        boolean led = admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.isr().isEmpty()));
        if (!led) {
            return false;
        }
        // A leader in the metadata is not yet a partition that serves requests: ask each leader for its
        // end offset too. Producing earlier made idempotent producers spin on OutOfOrderSequenceException.
        java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
                new java.util.HashMap<>();
        admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) ->
                d.partitions().forEach(p -> request.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest())));
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
        return true;
    }

    /**
     * Creates topics and waits until every partition has a leader (producing earlier can race the election).
     *
     * @param partitions partitions per topic
     * @param names topic names
     * @throws IllegalStateException if creation fails or leaders are not elected within 30 s
     */
    public static void createTopics(int partitions, String... names) {
        bootstrapServers();
        try {
            admin.createTopics(java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
            // Creation returns before every partition has a leader; producing earlier can race
            // the leader election. Wait (with a deadline) until all partitions are led.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allLed(names)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + List.of(names) + " have no leader after 30 s");
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + List.of(names), e);
        }
    }
}
