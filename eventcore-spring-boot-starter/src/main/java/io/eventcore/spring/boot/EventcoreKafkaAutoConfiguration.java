package io.eventcore.spring.boot;

import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventConsumerBuilder;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.kafka.KafkaOutput;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.internal.KafkaClientSettingsFactory;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
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
 * ({@link EventPublisher}, {@link DeadLetterSink}, {@link EventConsumer}).
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
    KafkaDeadLetterSink eventcoreDeadLetterSink(KafkaClientSettings client, EventcoreProperties properties) {
        EventcoreProperties.DeadLetter settings = properties.deadLetter();
        String suffix = settings.suffix();
        KafkaDeadLetterSink.Builder builder = KafkaDeadLetterSink.builder().client(client);
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
    KafkaEventConsumer eventcoreConsumer(KafkaClientSettings client, ObjectProvider<EventRouter> routers,
            EventcoreProperties properties, ObjectProvider<ConsumerMetrics> metrics,
            ObjectProvider<KafkaEventPublisher> publishers, ObjectProvider<DeadLetterSink> deadLetterSink,
            Environment environment) {
        EventcoreProperties.Consumer settings = properties.consumer();
        EventRouter router = routers.getIfUnique();
        if (router == null) {
            throw new IllegalStateException("eventcore.consumer.group-id is set (" + settings.groupId() + ") but there"
                    + " is no single EventRouter bean: declare EventcoreHandler or EventRouterCustomizer beans");
        }
        List<String> topics = settings.topics();
        if (topics == null || topics.isEmpty()) {
            throw new IllegalStateException("eventcore.consumer.topics must be set when eventcore.consumer.group-id is,"
                    + " but group " + settings.groupId() + " has none");
        }
        KafkaEventConsumerBuilder builder = KafkaEventConsumer.builder().client(client).groupId(settings.groupId())
                .topics(topics.toArray(String[]::new)).router(router);
        if (settings.ordering() != null) {
            builder.ordering(settings.ordering());
        }
        if (settings.maxConcurrency() != null) {
            builder.maxConcurrency(settings.maxConcurrency());
        }
        Boolean virtual = settings.virtualThreads() != null ? settings.virtualThreads()
                : Runtime.version().feature() >= 21
                        ? environment.getProperty("spring.threads.virtual.enabled", Boolean.class) : null;
        if (virtual != null) {
            builder.virtualThreads(virtual);
        }
        if (settings.stallTimeout() != null) {
            builder.stallTimeout(settings.stallTimeout());
        }
        if (settings.drainTimeout() != null) {
            builder.drainTimeout(settings.drainTimeout());
        }
        if (hasAny(settings.properties())) {
            builder.properties(settings.properties());
        }
        metrics.ifUnique(builder::metrics);
        if (settings.exactlyOnce()) {
            builder.exactlyOnce(outputs(publishers, deadLetterSink));
        }
        return builder.build();
    }

    /**
     * What an exactly-once consumer's transactions take in: every {@link KafkaEventPublisher} bean handlers may
     * publish through, and the router's dead-letter sink (the one {@link DeadLetterSink} bean, as
     * {@link EventcoreAutoConfiguration} resolves it) when it is a {@link KafkaDeadLetterSink}.
     */
    private static KafkaOutput[] outputs(ObjectProvider<KafkaEventPublisher> publishers,
            ObjectProvider<DeadLetterSink> deadLetterSink) {
        List<KafkaOutput> outputs = new ArrayList<>(publishers.orderedStream().toList());
        if (deadLetterSink.getIfUnique() instanceof KafkaDeadLetterSink sink) {
            outputs.add(sink);
        }
        return outputs.toArray(KafkaOutput[]::new);
    }

    private static boolean hasAny(Map<String, String> properties) {
        return properties != null && !properties.isEmpty();
    }
}
