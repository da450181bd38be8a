package io.eventcore.spring.boot.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kafka-clients the application runs on, against the one eventcore is tested with: Spring Boot's dependency
 * management picks its own version (4.1.2 for Boot 4.0.x) over the one eventcore declares. A verified pairing is
 * logged at INFO, any other version at WARN, once per application context.
 *
 * <p>The versions come from {@code META-INF/eventcore/kafka-clients.properties} in the eventcore-kafka jar.
 */
public final class KafkaClientsPairing {
    /** The resource eventcore-kafka ships. */
    public static final String RESOURCE = "META-INF/eventcore/kafka-clients.properties";
    private static final Logger log = LoggerFactory.getLogger(KafkaClientsPairing.class);

    private final String tested;
    private final Set<String> verified;
    private final Properties reasons;

    private KafkaClientsPairing(Properties p) {
        this.tested = p.getProperty("tested");
        this.verified = Arrays.stream(p.getProperty("verified", "").split(",")).map(String::strip)
                .filter(v -> !v.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.reasons = p;
    }

    /** @return the pairing eventcore-kafka declares */
    public static KafkaClientsPairing load() {
        Properties p = new Properties();
        try (InputStream in = KafkaClientsPairing.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing: is eventcore-kafka on the class path?");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KafkaClientsPairing(p);
    }

    /** @return the kafka-clients version eventcore is built and tested with */
    public String tested() {
        return tested;
    }

    /** @return other versions a build test runs eventcore on */
    public Set<String> verified() {
        return verified;
    }

    /**
     * @param running the kafka-clients version on the class path
     * @return whether eventcore is tested or verified on it
     */
    public boolean supports(String running) {
        return running.equals(tested) || verified.contains(running);
    }

    /** Logs which kafka-clients runs: INFO when tested or verified, WARN otherwise. */
    public void report() {
        String running = AppInfoParser.getVersion();
        if (running.equals(tested)) {
            log.debug("kafka-clients {}: the version eventcore is tested with", running);
        } else if (verified.contains(running)) {
            log.info("kafka-clients {} on the class path ({}); eventcore is built with {}", running,
                    reasons.getProperty("verified." + running, "verified"), tested);
        } else {
            log.warn("kafka-clients {} on the class path, but eventcore is built and tested with {} (and verified on "
                    + "{}); under Spring Boot set the property kafka.version to {} in your build", running, tested,
                    verified, tested);
        }
    }
}
