package io.eventcore.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Helpers for Kafka property maps: secret masking for logs and {@code toString()}. */
final class KafkaConfig {
    static final String MASK = "[hidden]";

    private KafkaConfig() {
    }

    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.endsWith("jaas.config") || k.contains("secret")
                || k.endsWith(".key") && k.contains("ssl") || k.contains("token");
    }

    /**
     * Producer properties for a producer that works beside a consumer (retry topics, redrive):
     * eventcore's producer defaults, then every given property that is not consumer-only, plus
     * the connection and security ones the two clients share.
     */
    static Map<String, Object> producerPropsFrom(Map<String, Object> consumerProps) {
        Map<String, Object> out = KafkaEventPublisher.producerDefaults();
        consumerProps.forEach((k, v) -> {
            boolean consumerOnly = k.startsWith("group.")
                    || org.apache.kafka.clients.consumer.ConsumerConfig.configNames().contains(k);
            if (!consumerOnly || isShared(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static boolean isShared(String key) {
        return key.equals("bootstrap.servers") || key.startsWith("security.") || key.startsWith("sasl.")
                || key.startsWith("ssl.") || key.equals("client.dns.lookup");
    }

    /** A sorted copy with every secret value replaced by {@value #MASK}. */
    static Map<String, Object> masked(Map<String, Object> props) {
        Map<String, Object> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
