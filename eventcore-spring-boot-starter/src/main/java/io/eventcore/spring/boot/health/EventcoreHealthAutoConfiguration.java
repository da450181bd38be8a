package io.eventcore.spring.boot.health;

import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.outbox.EventcoreOutboxAutoConfiguration;
import io.eventcore.transport.EventConsumer;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

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
    @Conditional(AnyConsumer.class)
    @ConditionalOnMissingBean(name = "eventcoreConsumersHealthIndicator")
    HealthIndicator eventcoreConsumersHealthIndicator(ListableBeanFactory beans) {
        return new ConsumerHealthIndicator(() -> beans.getBeansOfType(EventConsumer.class));
    }

    /** An {@link EventConsumer} bean, or named consumers ({@code eventcore.consumers.*}), registered later. */
    static final class AnyConsumer extends AnyNestedCondition {
        AnyConsumer() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(EventConsumer.class)
        static final class ConsumerBean {
        }

        @Conditional(NamedConsumers.class)
        static final class Named {
        }
    }

    /** {@code eventcore.consumers.<name>} or {@code eventcore.share-consumers.<name>} entries are set. */
    static final class NamedConsumers implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            return !binder.bind("eventcore.consumers", Bindable.mapOf(String.class, Object.class)).orElse(Map.of())
                    .isEmpty() || !binder.bind("eventcore.share-consumers", Bindable.mapOf(String.class, Object.class))
                    .orElse(Map.of()).isEmpty();
        }
    }

    @Bean
    @ConditionalOnBean(OutboxPublisher.class)
    @ConditionalOnMissingBean(name = "eventcoreRelayHealthIndicator")
    HealthIndicator eventcoreRelayHealthIndicator(Map<String, OutboxPublisher> relays) {
        return new RelayHealthIndicator(relays);
    }
}
