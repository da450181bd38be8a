package io.eventcore.kafka;

import io.eventcore.internal.Checks;
import java.util.Map;
import java.util.Objects;

/**
 * The part every Kafka builder shares: the {@link KafkaClientSettings} (given whole, or through
 * the {@code bootstrapServers} shorthand; either once) and the builder's own client properties
 * (once, no connection or security keys). Not thread-safe, like the builders.
 */
final class ClientSetup {
    private KafkaClientSettings client;
    private String clientSetBy;
    private Map<String, Object> own;

    /** {@code client(settings)}. */
    void client(KafkaClientSettings settings) {
        set("client", Objects.requireNonNull(settings, "client"));
    }

    /** {@code bootstrapServers(servers)}: shorthand for {@code client(KafkaClientSettings.of(servers))}. */
    void bootstrapServers(String servers) {
        set("bootstrapServers", KafkaClientSettings.of(servers));
    }

    private void set(String setting, KafkaClientSettings settings) {
        if (clientSetBy != null && !clientSetBy.equals(setting)) {
            throw new IllegalStateException(setting + " conflicts with " + clientSetBy + ", already set to " + client
                    + ": set exactly one");
        }
        client = Checks.once(setting, client, settings);
        clientSetBy = setting;
    }

    /** {@code properties(props)}: the builder's own properties, copied. */
    void properties(Map<String, ?> props) {
        Checks.once("properties", own == null ? null : KafkaConfig.masked(own), props);
        own = KafkaConfig.ownProperties(props);
    }

    boolean hasClient() {
        return client != null;
    }

    /** @throws IllegalStateException naming the setting when no client settings were given */
    KafkaClientSettings client() {
        if (client == null) {
            throw new IllegalStateException("client must be set: bootstrapServers(String) or client(KafkaClientSettings)");
        }
        return client;
    }

    /** @return the builder's own properties, empty if none were given */
    Map<String, Object> own() {
        return own == null ? Map.of() : own;
    }

    /**
     * @param defaults eventcore's defaults for this client
     * @return {@code defaults}, then the client settings, then the own properties
     * @throws IllegalStateException if settings are missing or one key is set both in the client
     *     settings and the own properties
     */
    Map<String, Object> merged(Map<String, Object> defaults) {
        return KafkaConfig.merge(defaults, client(), own());
    }
}
