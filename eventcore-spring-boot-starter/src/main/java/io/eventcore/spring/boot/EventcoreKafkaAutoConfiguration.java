package io.eventcore.spring.boot;

import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.spring.boot.internal.KafkaClientSettingsFactory;
import io.eventcore.spring.boot.internal.KafkaClientsPairing;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;

/**
 * Kafka beans: the shared {@link KafkaClientSettings}, a {@link KafkaEventPublisher} (also what the
 * outbox relay sends with), a {@link KafkaDeadLetterSink} the router dead-letters to, and, when
 * {@code eventcore.consumer.group-id} is set, a {@link KafkaEventConsumer} dispatching to the router
 * (started and closed by {@link EventcoreAutoConfiguration}'s lifecycle); with
 * {@code eventcore.consumer.exactly-once}, its transactions take in what the publisher beans and the
 * dead-letter sink send for the records it handles.
 *
 * <p>Switched off as a whole by {@code eventcore.kafka.enabled=false}; each bean by its own
 * {@code enabled} property, and each backs off when the application defines a bean of its SPI type
 * ({@link EventPublisher}, {@link DeadLetterSink}, {@link EventConsumer}). Each {@code eventcore.consumers.<name>}
 * entry adds a consumer bean of its own ({@code eventcoreConsumer.<name>}), and the application's
 * {@code NewTopic} beans are created on the broker when the context starts ({@code eventcore.kafka.create-topics}).
 */
@AutoConfiguration(after = EventcoreAutoConfiguration.class)
@ConditionalOnClass(KafkaEventPublisher.class)
@ConditionalOnBooleanProperty(name = "eventcore.kafka.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EventcoreProperties.class)
public class EventcoreKafkaAutoConfiguration {

    EventcoreKafkaAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaClientSettings eventcoreKafkaClientSettings(EventcoreProperties properties, Environment environment) {
        KafkaClientsPairing.load().report(); // Boot's dependency management may have picked another kafka-clients
        EventcoreProperties.Kafka kafka = properties.kafka();
        KafkaClientSettings.Builder builder = KafkaClientSettingsFactory.builder(kafka.bootstrapServers(),
                kafka.properties(), environment);
        if (kafka.transactionalIdPrefix() != null) {
            builder.transactionalIdPrefix(kafka.transactionalIdPrefix());
        }
        if (kafka.transactionTimeout() != null) {
            builder.transactionTimeout(kafka.transactionTimeout());
        }
        if (kafka.isolationLevel() != null) {
            builder.isolationLevel(kafka.isolationLevel());
        }
        if (kafka.positionsTopic() != null) {
            builder.positionsTopic(kafka.positionsTopic());
        }
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean(EventPublisher.class)
    @ConditionalOnBooleanProperty(name = "eventcore.publisher.enabled", matchIfMissing = true)
    KafkaEventPublisher eventcorePublisher(KafkaClientSettings client, EventcoreProperties properties,
            ObjectProvider<TopicNaming> topicNaming, ObjectProvider<EventCodec> codec,
            ObjectProvider<EventInstrumentation> instrumentation) {
        EventcoreProperties.Publisher settings = properties.publisher();
        KafkaEventPublisher.Builder builder = KafkaEventPublisher.builder().client(client);
        if (settings.topic() != null) {
            builder.topic(settings.topic());
        } else {
            builder.topics(topicNaming.getIfUnique(TopicNaming::perAggregate));
        }
        if (hasAny(settings.properties())) {
            builder.properties(settings.properties());
        }
        codec.ifUnique(builder::codec);
        instrumentation.ifUnique(builder::instrumentation);
        if (settings.closeTimeout() != null) {
            builder.closeTimeout(settings.closeTimeout());
        }
        if (settings.transactional()) {
            builder.transactional(true);
        }
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean(DeadLetterSink.class)
    @ConditionalOnBooleanProperty(name = "eventcore.dead-letter.enabled", matchIfMissing = true)
    KafkaDeadLetterSink eventcoreDeadLetterSink(KafkaClientSettings client, EventcoreProperties properties,
            ObjectProvider<KafkaEventPublisher> publisher) {
        EventcoreProperties.DeadLetter settings = properties.deadLetter();
        String suffix = settings.suffix();
        // The publisher's producer only with eventcore's producer defaults: its own properties (acks, say) are not
        // for dead letters.
        boolean ownSettings = hasAny(properties.publisher().properties());
        KafkaEventPublisher shared = settings.ownProducer() || ownSettings ? null : publisher.getIfUnique();
        KafkaDeadLetterSink.Builder builder = shared != null ? KafkaDeadLetterSink.builder().producerOf(shared)
                : KafkaDeadLetterSink.builder().client(client);
        if (!KafkaDeadLetterSink.DEFAULT_SUFFIX.equals(suffix)) {
            builder.topicNaming(topic -> topic + suffix);
        }
        if (settings.sendTimeout() != null) {
            builder.sendTimeout(settings.sendTimeout());
        }
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean(EventConsumer.class)
    @ConditionalOnBooleanProperty(name = "eventcore.consumer.enabled", matchIfMissing = true)
    @ConditionalOnProperty("eventcore.consumer.group-id")
    KafkaEventConsumer eventcoreConsumer(EventcoreProperties properties, BeanFactory beans, Environment environment) {
        return KafkaConsumers.create("eventcore.consumer", properties.consumer(), beans, environment);
    }

    /** Creates the application's {@code NewTopic} beans when the context starts, before the relay and consumers. */
    @Bean
    @ConditionalOnBean(NewTopic.class)
    @ConditionalOnBooleanProperty(name = "eventcore.kafka.create-topics", matchIfMissing = true)
    SmartLifecycle eventcoreTopics(KafkaClientSettings client, ObjectProvider<NewTopic> topics,
            EventcoreProperties properties) {
        Duration timeout = properties.kafka().topicsTimeout() != null ? properties.kafka().topicsTimeout()
                : Duration.ofSeconds(30);
        return new KafkaTopicsAtStartup(client, topics.orderedStream().toList(), timeout);
    }

    /** One consumer bean per {@code eventcore.consumers.<name>}, beside the one of {@code eventcore.consumer}. */
    @Bean
    static KafkaConsumers eventcoreNamedConsumers(Environment environment) {
        return new KafkaConsumers(environment);
    }

    private static boolean hasAny(Map<String, String> properties) {
        return properties != null && !properties.isEmpty();
    }
}
