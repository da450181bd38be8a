package io.eventcore.spring.boot;

import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.routing.EventMetrics;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.internal.ManagedLifecycle;
import io.eventcore.transport.EventConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The core of the starter: the {@link EventRouter} built from {@link EventcoreHandler} beans and
 * {@link EventRouterCustomizer}s (only when there is at least one of them), Micrometer metrics when a {@code MeterRegistry} bean exists,
 * a {@link MicrometerInstrumentation} (Observations, hence traces) when an {@code ObservationRegistry} bean exists
 * and {@code eventcore.observation.enabled} is not {@code false}, and
 * the lifecycle that starts the application's {@link EventConsumer} beans (the Kafka consumer
 * from {@link EventcoreKafkaAutoConfiguration}, or your own) and closes them gracefully.
 *
 * <p>Every bean backs off when the application defines one of the same type; the instrumentation backs off
 * for any {@link EventInstrumentation} bean, and the router, the Kafka publisher, the outbox appender and the
 * relay use whichever single {@code EventInstrumentation} bean there is.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@EnableConfigurationProperties(EventcoreProperties.class)
public class EventcoreAutoConfiguration {
    /**
     * Phase of the consumer's lifecycle: after the relay's ({@code 0}) so the relay starts first and stops
     * last, publishing what handlers appended; before the web server's.
     */
    public static final int CONSUMER_PHASE = 1000;

    EventcoreAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnRoutesCondition.class)
    EventRouter eventRouter(EventcoreProperties properties, ObjectProvider<EventcoreHandler<?>> handlers,
            ObjectProvider<EventRouterCustomizer> customizers, ObjectProvider<DeadLetterSink> deadLetterSink,
            ObjectProvider<EventMetrics> metrics, ObjectProvider<EventInstrumentation> instrumentation,
            ObjectProvider<EventCodec> codec) {
        EventRouter.Builder builder = EventRouter.builder();
        handlers.orderedStream().forEach(handler -> route(builder, handler));
        deadLetterSink.ifUnique(builder::deadLetter);
        metrics.ifUnique(builder::metrics);
        instrumentation.ifUnique(builder::instrumentation);
        codec.ifUnique(builder::codec);
        EventcoreProperties.Router router = properties.router();
        if (router.unknownType() != null) {
            builder.onUnknownType(router.unknownType());
        }
        if (router.handlerTimeout() != null) {
            builder.handlerTimeout(router.handlerTimeout());
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    private static <T> void route(EventRouter.Builder builder, EventcoreHandler<T> handler) {
        builder.route(handler.payloadType(), handler, handler::options);
    }

    @Bean
    ManagedLifecycle<EventConsumer> eventcoreConsumerLifecycle(ObjectProvider<EventConsumer> consumer,
            EventcoreProperties properties) {
        EventcoreProperties.Consumer settings = properties.consumer();
        return new ManagedLifecycle<>("event consumer", () -> consumer.orderedStream().toList(), EventConsumer::start,
                EventConsumer::close, settings.shutdownTimeout(), CONSUMER_PHASE, settings.autoStartup());
    }

    /** Micrometer meters for the router, the consumer and the relay, when a registry exists. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MicrometerConfiguration {

        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        MicrometerMetrics eventcoreMetrics(MeterRegistry registry) {
            return MicrometerMetrics.of(registry);
        }
    }

    /** Micrometer Observations for the router, the publisher, the outbox and the relay, when a registry exists. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    @ConditionalOnBooleanProperty(name = "eventcore.observation.enabled", matchIfMissing = true)
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnBean(ObservationRegistry.class)
        @ConditionalOnMissingBean(EventInstrumentation.class)
        MicrometerInstrumentation eventcoreInstrumentation(ObservationRegistry registry) {
            return MicrometerInstrumentation.of(registry);
        }
    }
}
