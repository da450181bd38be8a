package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/** The Spring Boot BOM the starter imports must not replace the versions eventcore is built with. */
class DependencyVersionsTest {

    @Test
    void kafkaClients_isTheParentsVersion() {
        assertThat(AppInfoParser.getVersion()).isEqualTo(expected("eventcore.expected.kafka"));
    }

    @Test
    void theKafkaJarDeclaresTheTestedVersion_andBootsManagedOneAsVerified() {
        io.eventcore.spring.boot.internal.KafkaClientsPairing pairing =
                io.eventcore.spring.boot.internal.KafkaClientsPairing.load();
        assertThat(pairing.tested()).isEqualTo(expected("eventcore.expected.kafka"));
        assertThat(pairing.verified()).as("Boot 4.0.x manages kafka-clients 4.1.2: examples/src/it/boot-managed-versions")
                .contains("4.1.2");
        assertThat(pairing.supports(AppInfoParser.getVersion())).isTrue();
        assertThat(pairing.supports("3.9.0")).isFalse();
    }

    @Test
    void jackson2_isTheParentsVersion() {
        assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
                .isEqualTo(expected("eventcore.expected.jackson"));
    }

    private static String expected(String property) {
        String value = System.getProperty(property);
        assertThat(value).as("system property %s (set by the starter's pom)", property).isNotBlank();
        return value;
    }
}
