package io.eventcore.spring.boot.outbox;

import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.outbox.OutboxMetrics;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.spring.boot.EventcoreKafkaAutoConfiguration;
import io.eventcore.spring.boot.EventcoreProperties;
import io.eventcore.spring.boot.internal.ManagedLifecycle;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * The JDBC outbox on the application's one {@link DataSource}: a {@link JdbcOutbox}, an
 * {@link OutboxAppender} for {@code @Transactional} code, and the {@link OutboxPublisher} relay sending
 * with the application's {@link EventPublisher} bean, started with the context and closed, within
 * {@code eventcore.outbox.relay.shutdown-timeout}, when it stops.
 *
 * <p>Needs eventcore-outbox-jdbc and spring-jdbc on the classpath; switched off by
 * {@code eventcore.outbox.enabled=false}, the relay alone by {@code eventcore.outbox.relay.enabled=false}
 * (another instance relays). Each bean backs off when the application defines one of its type.
 */
@AutoConfiguration(after = EventcoreKafkaAutoConfiguration.class,
        afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({JdbcOutbox.class, DataSourceUtils.class})
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "eventcore.outbox.enabled", matchIfMissing = true)
@EnableConfigurationProperties(EventcoreProperties.class)
public class EventcoreOutboxAutoConfiguration {
    /** Phase of the relay's lifecycle: it starts before the consumer and the web server and stops after them. */
    public static final int RELAY_PHASE = 0;

    EventcoreOutboxAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    JdbcOutbox eventcoreOutbox(DataSource dataSource, EventcoreProperties properties,
            ObjectProvider<EventCodec> codec) {
        EventcoreProperties.Outbox settings = properties.outbox();
        JdbcOutbox.Builder builder = JdbcOutbox.builder(dataSource);
        if (settings.table() != null) {
            builder.table(settings.table());
        }
        if (settings.shards() != null) {
            builder.shards(settings.shards());
        }
        if (settings.strictOrder()) {
            builder.strictOrder(true);
        }
        if (settings.keepPublished()) {
            builder.keepPublished(true);
        }
        if (settings.notifications()) {
            builder.notifications(true);
        }
        codec.ifUnique(builder::codec);
        JdbcOutbox outbox = builder.build();
        if (settings.createSchema()) {
            outbox.createSchema();
        }
        return outbox;
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxAppender eventcoreOutboxAppender(JdbcOutbox outbox, DataSource dataSource,
            ObjectProvider<EventInstrumentation> instrumentation) {
        return new OutboxAppender(outbox, dataSource, instrumentation.getIfUnique(EventInstrumentation::noop));
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(EventPublisher.class)
    @ConditionalOnBooleanProperty(name = "eventcore.outbox.relay.enabled", matchIfMissing = true)
    OutboxPublisher eventcoreRelay(JdbcOutbox outbox, EventPublisher publisher, EventcoreProperties properties,
            ObjectProvider<DeadLetterSink> deadLetter, ObjectProvider<OutboxMetrics> metrics,
            ObjectProvider<TopicNaming> topicNaming, ObjectProvider<EventInstrumentation> instrumentation) {
        EventcoreProperties.Relay settings = properties.outbox().relay();
        OutboxPublisher.Builder builder = OutboxPublisher.builder().store(outbox.store()).publisher(publisher);
        if (settings.relayId() != null) {
            builder.relayId(settings.relayId());
        }
        if (settings.batchSize() != null) {
            builder.batchSize(settings.batchSize());
        }
        if (settings.leaseTtl() != null) {
            builder.leaseTtl(settings.leaseTtl());
        }
        if (settings.minPollInterval() != null) {
            builder.minPollInterval(settings.minPollInterval());
        }
        if (settings.maxPollInterval() != null) {
            builder.maxPollInterval(settings.maxPollInterval());
        }
        if (settings.sendTimeout() != null) {
            builder.sendTimeout(settings.sendTimeout());
        }
        if (settings.deadRetention() != null) {
            builder.deadRetention(settings.deadRetention());
        }
        if (settings.publishedRetention() != null) {
            builder.publishedRetention(settings.publishedRetention());
        }
        if (settings.transactional() != null) {
            builder.transactional(settings.transactional());
        }
        if (settings.outboxName() != null) {
            builder.outboxName(settings.outboxName());
        }
        if (settings.oneInFlightPerKey()) {
            builder.oneInFlightPerKey(true);
        }
        deadLetter.ifUnique(builder::deadLetter);
        metrics.ifUnique(builder::metrics);
        topicNaming.ifUnique(builder::topicNaming);
        instrumentation.ifUnique(builder::instrumentation);
        return builder.build();
    }

    @Bean
    ManagedLifecycle<OutboxPublisher> eventcoreRelayLifecycle(ObjectProvider<OutboxPublisher> relay,
            EventcoreProperties properties) {
        return new ManagedLifecycle<>("outbox relay", () -> relay.orderedStream().toList(), OutboxPublisher::start,
                OutboxPublisher::close, properties.outbox().relay().shutdownTimeout(), RELAY_PHASE, true);
    }
}
