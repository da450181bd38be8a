package io.eventcore.spring.boot.internal;

import io.eventcore.kafka.KafkaClientSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Starts the shared {@link KafkaClientSettings} from {@code eventcore.kafka.bootstrap-servers} and
 * {@code eventcore.kafka.properties}, falling back to Spring Boot's {@code spring.kafka.bootstrap-servers},
 * {@code spring.kafka.security.protocol} and {@code spring.kafka.properties.*}.
 */
public final class KafkaClientSettingsFactory {
    private static final String SPRING_SERVERS = "spring.kafka.bootstrap-servers";

    private KafkaClientSettingsFactory() {
    }

    /**
     * @param bootstrapServers {@code eventcore.kafka.bootstrap-servers}, may be {@code null}
     * @param clientProperties {@code eventcore.kafka.properties}, may be {@code null}
     * @param environment where {@code spring.kafka.*} is read from
     * @return a builder with the bootstrap servers and client properties set; the caller adds eventcore's own
     *     settings and builds
     * @throws IllegalStateException if neither property names bootstrap servers
     */
    public static KafkaClientSettings.Builder builder(List<String> bootstrapServers,
            Map<String, String> clientProperties, Environment environment) {
        Binder binder = Binder.get(environment);
        List<String> servers = bootstrapServers;
        if (servers == null || servers.isEmpty()) {
            servers = binder.bind(SPRING_SERVERS, Bindable.listOf(String.class)).orElse(List.of());
        }
        if (servers.isEmpty()) {
            throw new IllegalStateException("eventcore.kafka.bootstrap-servers (or " + SPRING_SERVERS
                    + ") must be set, or eventcore.kafka.enabled=false, but neither is set");
        }
        Map<String, Object> properties = new LinkedHashMap<>(
                binder.bind("spring.kafka.properties", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        binder.bind("spring.kafka.security.protocol", String.class)
                .ifBound(protocol -> properties.put("security.protocol", protocol));
        if (clientProperties != null) {
            properties.putAll(clientProperties);
        }
        KafkaClientSettings.Builder builder = KafkaClientSettings.builder().bootstrapServers(String.join(",", servers));
        if (!properties.isEmpty()) {
            builder.properties(properties);
        }
        return builder;
    }
}
