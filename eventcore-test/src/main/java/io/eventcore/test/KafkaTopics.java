package io.eventcore.test;

import java.time.Duration;
import org.awaitility.Awaitility;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Topic chores for tests against any broker ({@link EmbeddedKafka}, {@link KafkaBrokerProcess}, or
 * your own): create topics and wait until they serve requests, and read end offsets. Needs
 * kafka-clients on the test classpath. Thread-safe.
 */
public final class KafkaTopics {
    private static final long DEADLINE_SECONDS = 30;

    private KafkaTopics() {
    }

    /**
     * Creates topics (replication factor 1) and waits until every partition leader answers an offsets
     * request: a leader in the metadata is not yet a partition that serves requests, and producing
     * earlier made idempotent producers spin on {@code OutOfOrderSequenceException}.
     *
     * @param client admin client properties ({@code bootstrap.servers} and any security settings)
     * @param partitions partitions per topic
     * @param configs topic configs, e.g. {@code max.message.bytes}
     * @param names topic names
     * @throws IllegalStateException if creation fails or the topics are not ready within 30 s
     */
    public static void create(Map<String, Object> client, int partitions, Map<String, String> configs,
            String... names) {
        create(client, partitions, (short) 1, configs, names);
    }

    /**
     * Creates topics with the given replication factor and waits until every partition leader answers
     * an offsets request, as {@link #create(Map, int, Map, String...)} does.
     *
     * @param client admin client properties ({@code bootstrap.servers} and any security settings)
     * @param partitions partitions per topic
     * @param replicationFactor replicas per partition, for example 3 on a {@link KafkaClusterProcess}
     * @param configs topic configs, e.g. {@code max.message.bytes}
     * @param names topic names
     * @throws IllegalStateException if creation fails or the topics are not ready within 30 s
     */
    public static void create(Map<String, Object> client, int partitions, short replicationFactor,
            Map<String, String> configs, String... names) {
        try (Admin admin = Admin.create(client)) {
            create(admin, partitions, replicationFactor, configs, names);
        }
    }

    /**
     * {@link #create(Map, int, Map, String...)} with only {@code bootstrap.servers} and no topic configs.
     *
     * @param bootstrap bootstrap servers
     * @param partitions partitions per topic
     * @param names topic names
     */
    public static void create(String bootstrap, int partitions, String... names) {
        create(Map.of("bootstrap.servers", bootstrap), partitions, Map.of(), names);
    }

    static void create(Admin admin, int partitions, Map<String, String> configs, String... names) {
        create(admin, partitions, (short) 1, configs, names);
    }

    private static void create(Admin admin, int partitions, short replicationFactor, Map<String, String> configs,
            String... names) {
        try {
            admin.createTopics(Arrays.stream(names)
                    .map(n -> new NewTopic(n, partitions, replicationFactor).configs(configs))
                    .toList()).all().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            Awaitility.await("partitions of " + List.of(names) + " ready")
                    .atMost(Duration.ofSeconds(DEADLINE_SECONDS)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ready(admin, names));
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + List.of(names), e);
        }
    }

    private static boolean ready(Admin admin, String... names) throws Exception {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            var topics = admin.describeTopics(List.of(names)).allTopicNames().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            for (var d : topics.values()) {
                for (var p : d.partitions()) {
                    if (p.leader() == null || p.isr().isEmpty()) {
                        return false;
                    }
                    request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                }
            }
            admin.listOffsets(request).all().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return false; // metadata or the partition itself has not caught up with the creation yet
            }
            throw e;
        }
    }

    /**
     * @param bootstrap bootstrap servers
     * @param topic topic
     * @return the sum of the topic's end offsets
     * @throws IllegalStateException if they cannot be read
     */
    public static long endOffsets(String bootstrap, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(DEADLINE_SECONDS, TimeUnit.SECONDS).get(topic)
                    .partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(request).all().get(DEADLINE_SECONDS, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException("could not read end offsets of " + topic, e);
        }
    }
}
