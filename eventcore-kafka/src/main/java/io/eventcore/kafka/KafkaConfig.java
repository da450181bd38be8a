package io.eventcore.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Kafka property maps: eventcore's producer defaults, how a client's map is assembled from the
 * {@link KafkaClientSettings} and one builder's own properties, and secret masking for logs and
 * {@code toString()}.
 */
final class KafkaConfig {
    static final String MASK = "[hidden]";

    private KafkaConfig() {
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.endsWith("jaas.config") || k.contains("secret") || k.contains("token")
                || k.contains("credentials") || k.contains("user.info") || k.endsWith(".key") && k.contains("ssl");
    }

    /** Connection and security keys: they belong in {@link KafkaClientSettings}, so every client gets them. */
    static boolean isConnectionOrSecurity(String key) {
        return key.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) || key.startsWith("security.")
                || key.startsWith("sasl.") || key.startsWith("ssl.");
    }

    /** eventcore's producer defaults: idempotent, {@code acks=all}, {@code linger.ms=5}; a new mutable map. */
    static Map<String, Object> producerDefaults() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return props;
    }

    /** @return whether producers with these properties may be transactional: idempotent, {@code acks=all} */
    static boolean supportsTransactions(Map<String, Object> producerProps) {
        Object idempotence = producerProps.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        Object acks = producerProps.get(ProducerConfig.ACKS_CONFIG);
        return (idempotence == null || Boolean.parseBoolean(idempotence.toString()))
                && (acks == null || acks.toString().equals("all") || acks.toString().equals("-1"));
    }

    /**
     * A copy of one builder's own client properties.
     *
     * @throws IllegalStateException naming the first connection or security key: those are set in
     *     {@link KafkaClientSettings}
     */
    static Map<String, Object> ownProperties(Map<String, ?> props) {
        Objects.requireNonNull(props, "properties");
        for (String key : new TreeMap<>(props).keySet()) {
            if (isConnectionOrSecurity(key)) {
                throw new IllegalStateException("properties must not contain " + key + ": connection and security "
                        + "settings belong in client(KafkaClientSettings), which every client of the builder uses");
            }
        }
        return new HashMap<>(props);
    }

    /**
     * {@code defaults}, then the client settings, then {@code own}.
     *
     * @throws IllegalStateException naming a key set both in the client settings and in {@code own}
     */
    static Map<String, Object> merge(Map<String, Object> defaults, KafkaClientSettings client,
            Map<String, Object> own) {
        Map<String, Object> out = new HashMap<>(defaults);
        out.putAll(client.properties());
        for (Map.Entry<String, Object> e : own.entrySet()) {
            if (client.properties().containsKey(e.getKey())) {
                throw new IllegalStateException("property " + e.getKey() + " is set both in the client settings and "
                        + "in properties: set it once");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** @return whether {@code group.protocol=consumer} (KIP-848, broker-side assignment) is selected */
    static boolean isConsumerGroupProtocol(Map<String, Object> props) {
        Object protocol = props.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        return protocol != null && protocol.toString().trim().equalsIgnoreCase("consumer");
    }

    /**
     * The consumer's properties: eventcore's consumer defaults ({@code auto.offset.reset=earliest},
     * {@code isolation.level} from the client settings ({@code read_committed} by default),
     * cooperative-sticky assignment unless {@code group.protocol=consumer}), then {@code user}, then {@code group.id} and
     * {@code enable.auto.commit=false}.
     *
     * @param user the client settings and the builder's own properties, merged
     * @throws IllegalStateException if {@code user} turns auto commit on or names another group
     */
    static Map<String, Object> consumerProps(Map<String, Object> user, String groupId, String isolationLevel) {
        Object autoCommit = user.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
            throw new IllegalStateException("enable.auto.commit must be false (eventcore commits offsets itself), "
                    + "but was " + autoCommit);
        }
        Object group = user.get(ConsumerConfig.GROUP_ID_CONFIG);
        if (group != null && !groupId.equals(group)) {
            throw new IllegalStateException("group.id property (" + group + ") conflicts with groupId (" + groupId + ")");
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        if (!isConsumerGroupProtocol(user)) {
            // The classic protocol's client-side assignor; the consumer protocol (KIP-848) assigns
            // on the broker and rejects the setting.
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        props.putAll(user);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /**
     * Producer properties for a producer that works beside a consumer (retry topics, redrive):
     * eventcore's producer defaults, then every given property that is not consumer-only, plus
     * the connection and security ones the two clients share.
     */
    static Map<String, Object> producerPropsFrom(Map<String, Object> consumerProps) {
        Map<String, Object> out = producerDefaults();
        consumerProps.forEach((k, v) -> {
            boolean consumerOnly = k.startsWith("group.") || ConsumerConfig.configNames().contains(k);
            if (!consumerOnly || isShared(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean isShared(String key) {
        return isConnectionOrSecurity(key) || key.equals("client.dns.lookup");
    }

    /** @return {@value #MASK} for a secret key, else {@code value} */
    static Object masked(String key, Object value) {
        return isSecret(key) ? MASK : value;
    }

    /** A sorted copy with every secret value replaced by {@value #MASK}. */
    static Map<String, Object> masked(Map<String, Object> props) {
        Map<String, Object> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k, masked(k, v)));
        return out;
    }
}
