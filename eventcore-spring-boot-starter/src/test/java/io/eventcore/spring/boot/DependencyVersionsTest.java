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
