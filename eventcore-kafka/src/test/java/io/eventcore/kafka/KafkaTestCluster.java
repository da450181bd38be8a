package io.eventcore.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** One real single-node KRaft broker (Kafka's own test kit, in this JVM) shared by the integration tests. */
final class KafkaTestCluster {
    private static KafkaClusterTestKit cluster;
    private static Admin admin;

    private KafkaTestCluster() {
    }

    static synchronized String bootstrapServers() {
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
                        admin.close();
                        kit.close();
                    } catch (Exception ignored) {
                        // JVM is exiting
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the embedded Kafka broker", e);
            }
        }
        return cluster.bootstrapServers();
    }

    private static boolean allLed(String... names) throws Exception {
        return admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.isr().isEmpty()));
    }

    static void createTopics(int partitions, String... names) {
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
