package io.eventcore.spring.boot.health;

import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.outbox.EventcoreOutboxAutoConfiguration;
import io.eventcore.transport.EventConsumer;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Health indicators, when Spring Boot's health support (Actuator) is on the classpath:
 * {@code eventcoreConsumers} for the {@link EventConsumer} beans and {@code eventcoreRelay} for the
 * {@link OutboxPublisher} beans. Switched off by {@code management.health.eventcore.enabled=false}.
 */
@AutoConfiguration(after = {EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class})
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("eventcore")
public class EventcoreHealthAutoConfiguration {

    EventcoreHealthAutoConfiguration() {
    }

    @Bean
    @ConditionalOnBean(EventConsumer.class)
    @ConditionalOnMissingBean(name = "eventcoreConsumersHealthIndicator")
    HealthIndicator eventcoreConsumersHealthIndicator(Map<String, EventConsumer> consumers) {
        return new ConsumerHealthIndicator(consumers);
    }

    @Bean
    @ConditionalOnBean(OutboxPublisher.class)
    @ConditionalOnMissingBean(name = "eventcoreRelayHealthIndicator")
    HealthIndicator eventcoreRelayHealthIndicator(Map<String, OutboxPublisher> relays) {
        return new RelayHealthIndicator(relays);
    }
}
