package io.eventcore.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * A real KRaft Kafka cluster of child JVMs: one dedicated controller ({@code process.roles=controller})
 * and {@value #BROKERS} brokers ({@code process.roles=broker}), so fault tests can SIGKILL any one or
 * two brokers and start them again on the same port and log directory while the controller quorum
 * stays whole. Listens on 127.0.0.1 only, plaintext.
 *
 * <p>Topic defaults: replication factor 3, {@code min.insync.replicas=2},
 * {@code unclean.leader.election.enable=false}; the internal offsets and transaction topics also have
 * 3 replicas, the latter with {@code transaction.state.log.min.isr=2}. So one broker down changes
 * nothing for clients but a leader election, and two brokers down leave every partition below its
 * minimum in-sync replicas: {@code acks=all} writes fail (retriably) until a broker returns. The
 * controller fences a killed broker after {@code broker.session.timeout.ms} (here 6 s). Groups on
 * the consumer protocol (KIP-848) get a 10 s session timeout and a 1 s heartbeat interval.
 *
 * <p>Brokers are addressed by index, {@code 0} to {@code BROKERS - 1} (also their {@code node.id}).
 * Needs {@code org.apache.kafka:kafka-test-common-runtime} (or {@code kafka_2.13}) on the test
 * classpath. Not thread-safe: drive it from the test thread.
 */
public final class KafkaClusterProcess implements AutoCloseable {
    /** How many brokers the cluster has. */
    public static final int BROKERS = 3;
    private static final int CONTROLLER_ID = 100;
    private static final long START_SECONDS = 180;
    /** Four JVMs share the machine: smaller heaps, and C1 only, which halves the CPU a node needs to start. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Path dir;
    private final int[] ports = new int[BROKERS];
    private final KafkaNode controller;
    private final List<KafkaNode> brokers = new ArrayList<>();

    private KafkaClusterProcess(Map<String, String> overrides) throws IOException {
        dir = Files.createTempDirectory("eventcore-kafka-cluster-");
        int controllerPort = KafkaNode.freePort();
        for (int i = 0; i < BROKERS; i++) {
            ports[i] = KafkaNode.freePort();
        }
        String clusterId = Uuid.randomUuid().toString();
        List<String> common = commonLines(controllerPort);
        KafkaNode.override(common, overrides);
        List<String> controllerLines = new ArrayList<>(List.of("process.roles=controller", "node.id=" + CONTROLLER_ID,
                "listeners=CONTROLLER://127.0.0.1:" + controllerPort, "listener.security.protocol.map=CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("controller-logs")));
        controllerLines.addAll(common);
        controller = new KafkaNode(dir, "controller", controllerLines, clusterId, JVM_OPTIONS);
        for (int i = 0; i < BROKERS; i++) {
            List<String> lines = new ArrayList<>(List.of("process.roles=broker", "node.id=" + i,
                    "listeners=PLAINTEXT://127.0.0.1:" + ports[i], "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports[i],
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + dir.resolve("broker-" + i + "-logs")));
            lines.addAll(common);
            brokers.add(new KafkaNode(dir, "broker-" + i, lines, clusterId, JVM_OPTIONS));
        }
        controller.awaitFormatted();
        brokers.forEach(KafkaNode::awaitFormatted);
    }

    /** Settings of every node: the quorum, the topic defaults, and quick failure detection. */
    private static List<String> commonLines(int controllerPort) {
        return new ArrayList<>(List.of(
                "controller.quorum.voters=" + CONTROLLER_ID + "@127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "unclean.leader.election.enable=false",
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "transaction.state.log.num.partitions=6",
                "share.coordinator.state.topic.replication.factor=3", // share groups (KIP-932)
                "share.coordinator.state.topic.min.isr=2",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "group.initial.rebalance.delay.ms=0",
                "broker.session.timeout.ms=6000",
                "broker.heartbeat.interval.ms=1000",
                "group.consumer.min.session.timeout.ms=6000",
                "group.consumer.session.timeout.ms=10000",
                "group.consumer.min.heartbeat.interval.ms=1000",
                "group.consumer.heartbeat.interval.ms=1000"));
    }

    /**
     * Formats new log directories and starts the controller and the brokers.
     *
     * @return the running cluster, every broker registered and unfenced
     * @throws IllegalStateException if a broker does not answer within 180 s
     */
    public static KafkaClusterProcess start() {
        return start(Map.of());
    }

    /**
     * Formats new log directories and starts the cluster with extra server properties.
     *
     * @param serverProperties settings that replace or add to the defaults (see the class comment) on
     *     every node, controller included
     * @return the running cluster, every broker registered and unfenced
     * @throws IllegalStateException if a broker does not answer within 180 s
     */
    public static KafkaClusterProcess start(Map<String, String> serverProperties) {
        KafkaClusterProcess cluster;
        try {
            cluster = new KafkaClusterProcess(Map.copyOf(serverProperties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            cluster.controller.start();
            cluster.brokers.forEach(KafkaNode::start);
            for (int i = 0; i < BROKERS; i++) {
                cluster.awaitBroker(i);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** @return {@code 127.0.0.1:<port>} of every broker, comma-separated; the same across restarts */
    public String bootstrapServers() {
        return Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /**
     * @param brokerIndex {@code 0} to {@code BROKERS - 1}
     * @return {@code 127.0.0.1:<port>} of that broker alone
     * @throws IndexOutOfBoundsException if there is no such broker
     */
    public String bootstrapServers(int brokerIndex) {
        return "127.0.0.1:" + ports[Objects.checkIndex(brokerIndex, BROKERS)];
    }

    /** @return {@code bootstrap.servers} of all brokers, as a client property map */
    public Map<String, Object> clientProperties() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }

    /**
     * Kills a broker with SIGKILL (no clean shutdown) and waits for its process to end. Does nothing
     * if it is not running. The controller notices after {@code broker.session.timeout.ms}.
     *
     * @param brokerIndex {@code 0} to {@code BROKERS - 1}
     * @throws IndexOutOfBoundsException if there is no such broker
     */
    public void kill(int brokerIndex) {
        brokers.get(Objects.checkIndex(brokerIndex, BROKERS)).kill();
    }

    /**
     * Starts a killed broker again on the same port and log directory, and waits until it is
     * registered and unfenced. Its replicas catch up afterwards; see {@link #awaitInSync}.
     *
     * @param brokerIndex {@code 0} to {@code BROKERS - 1}
     * @throws IllegalStateException if the broker is running, or does not answer within 180 s
     * @throws IndexOutOfBoundsException if there is no such broker
     */
    public void restart(int brokerIndex) {
        KafkaNode broker = brokers.get(Objects.checkIndex(brokerIndex, BROKERS));
        if (broker.isRunning()) {
            throw new IllegalStateException("broker " + brokerIndex + " is running");
        }
        broker.kill(); // forget a process that ended by itself
        broker.start();
        awaitBroker(brokerIndex);
    }

    private void awaitBroker(int index) {
        brokers.get(index).awaitAnswer(Map.of("bootstrap.servers", bootstrapServers(index)), index, START_SECONDS);
    }

    /**
     * @param brokerIndex {@code 0} to {@code BROKERS - 1}
     * @return whether that broker's process is alive
     * @throws IndexOutOfBoundsException if there is no such broker
     */
    public boolean isRunning(int brokerIndex) {
        return brokers.get(Objects.checkIndex(brokerIndex, BROKERS)).isRunning();
    }

    /**
     * Asks the cluster (through the running brokers) which broker leads a partition.
     *
     * @param topic topic
     * @param partition partition number
     * @return the leader's broker index, or {@code -1} while the partition has no leader
     * @throws IllegalStateException if the topic cannot be described within 30 s, or has no such
     *     partition
     */
    public int leaderOf(String topic, int partition) {
        TopicPartitionInfo info = describe(topic).partitions().stream().filter(p -> p.partition() == partition)
                .findFirst().orElseThrow(() -> new IllegalStateException(topic + " has no partition " + partition));
        Node leader = info.leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
    }

    /**
     * Creates topics with 3 replicas and waits until every partition serves requests.
     *
     * @param partitions partitions per topic
     * @param configs topic configs that replace or add to the broker defaults
     * @param names topic names
     * @throws IllegalStateException if creation fails or the topics are not ready within 30 s
     */
    public void createTopics(int partitions, Map<String, String> configs, String... names) {
        KafkaTopics.create(clientProperties(), partitions, (short) BROKERS, configs, names);
    }

    /**
     * Waits until every partition of the topics has all its replicas in sync (after a restart, the
     * restarted broker's replicas catch up first).
     *
     * @param timeout how long to wait
     * @param topics topic names
     * @throws org.awaitility.core.ConditionTimeoutException if they are not in sync in time
     */
    public void awaitInSync(Duration timeout, String... topics) {
        Awaitility.await("all replicas of " + List.of(topics) + " in sync").atMost(timeout)
                .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    for (String topic : topics) {
                        for (TopicPartitionInfo p : describe(topic).partitions()) {
                            if (p.isr().size() < p.replicas().size()) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    private TopicDescription describe(String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", "5000",
                "default.api.timeout.ms", "30000"))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not describe " + topic, e);
        }
    }

    /** @return the directory with every node's properties, log file and log directories */
    public Path directory() {
        return dir;
    }

    /** Kills every broker, then the controller. The directories are left for inspection. */
    @Override
    public void close() {
        brokers.forEach(KafkaNode::kill);
        controller.kill();
    }

    @Override
    public String toString() {
        return "KafkaClusterProcess[" + bootstrapServers() + ", " + dir + "]";
    }
}
