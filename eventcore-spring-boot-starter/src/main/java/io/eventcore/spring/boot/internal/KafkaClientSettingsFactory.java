package io.eventcore.spring.boot.internal;

import io.eventcore.kafka.KafkaClientSettings;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Starts the shared {@link KafkaClientSettings} from {@code eventcore.kafka.bootstrap-servers} and
 * {@code eventcore.kafka.properties}, falling back to Spring Boot's {@code spring.kafka.bootstrap-servers},
 * {@code spring.kafka.security.protocol}, {@code spring.kafka.ssl.*} and {@code spring.kafka.properties.*} (which
 * override the typed ones, as in Spring Boot); {@code eventcore.kafka.properties} override them all.
 */
public final class KafkaClientSettingsFactory {
    private static final String SPRING_SERVERS = "spring.kafka.bootstrap-servers";

    /** {@code spring.kafka.ssl.*} (Spring Boot's names) → kafka-clients' names. */
    private static final Map<String, String> SSL = Map.ofEntries(
            Map.entry("key-password", "ssl.key.password"),
            Map.entry("key-store-location", "ssl.keystore.location"),
            Map.entry("key-store-password", "ssl.keystore.password"),
            Map.entry("key-store-type", "ssl.keystore.type"),
            Map.entry("key-store-certificate-chain", "ssl.keystore.certificate.chain"),
            Map.entry("key-store-key", "ssl.keystore.key"),
            Map.entry("trust-store-location", "ssl.truststore.location"),
            Map.entry("trust-store-password", "ssl.truststore.password"),
            Map.entry("trust-store-type", "ssl.truststore.type"),
            Map.entry("trust-store-certificates", "ssl.truststore.certificates"),
            Map.entry("protocol", "ssl.protocol"));

    private KafkaClientSettingsFactory() {
    }

    /**
     * Reuses Spring Boot's typed {@code spring.kafka.ssl.*} settings; a key or trust store location is a Spring
     * resource ({@code file:}, {@code classpath:}) that must be a file, as kafka-clients opens it by path.
     */
    private static void springSsl(Binder binder, Map<String, Object> into) {
        binder.bind("spring.kafka.ssl.bundle", String.class).ifBound(bundle -> {
            throw new IllegalStateException("spring.kafka.ssl.bundle (" + bundle + ") is not read by eventcore: set"
                    + " spring.kafka.ssl.key-store-location and trust-store-location (or eventcore.kafka.properties"
                    + " with kafka-clients' ssl.* keys) instead");
        });
        SSL.forEach((springKey, kafkaKey) -> binder.bind("spring.kafka.ssl." + springKey, String.class)
                .ifBound(value -> into.put(kafkaKey, springKey.endsWith("-location")
                        ? file("spring.kafka.ssl." + springKey, value) : value)));
    }

    private static String file(String property, String location) {
        Resource resource = new DefaultResourceLoader().getResource(location);
        try {
            return resource.getFile().getAbsolutePath();
        } catch (IOException e) {
            throw new IllegalStateException(property + " (" + location + ") must be a file that kafka-clients can open"
                    + " by path: " + e.getMessage(), e);
        }
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
        Map<String, Object> properties = new LinkedHashMap<>();
        binder.bind("spring.kafka.security.protocol", String.class)
                .ifBound(protocol -> properties.put("security.protocol", protocol));
        springSsl(binder, properties);
        properties.putAll(
                binder.bind("spring.kafka.properties", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
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
