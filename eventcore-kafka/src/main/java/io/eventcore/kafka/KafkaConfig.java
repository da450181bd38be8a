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

    /** A sorted copy with every secret value replaced by {@value #MASK}. */
    static Map<String, Object> masked(Map<String, Object> props) {
        Map<String, Object> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }
}
