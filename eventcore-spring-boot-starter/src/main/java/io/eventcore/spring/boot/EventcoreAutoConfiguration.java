package io.eventcore.spring.boot;

import io.eventcore.codec.EventCodec;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventMetrics;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.internal.ManagedLifecycle;
import io.eventcore.transport.EventConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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
 * The core of the starter: the {@link EventRouter} built from {@link EventcoreHandler} beans, {@link EventcoreListener}
 * methods and {@link EventRouterCustomizer}s (only when there is at least one of them), Micrometer metrics when a {@code MeterRegistry} bean exists,
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
            ObjectProvider<EventCodec> codec, ConfigurableListableBeanFactory beans) {
        EventRouter.Builder builder = EventRouter.builder();
        handlers.orderedStream().forEach(handler -> route(builder, handler));
        ListenerMethods.register(builder, beans, ListenerMethods.find(beans));
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
        RetryPolicy retry = retryPolicy(router.retry());
        if (retry != null) {
            builder.retry(retry);
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** @return the policy {@code eventcore.router.retry.*} describes, {@code null} when none of it is set */
    static RetryPolicy retryPolicy(EventcoreProperties.Retry p) {
        if (p == null || (p.maxAttempts() == null && p.initialDelay() == null && p.maxDelay() == null
                && p.multiplier() == null && p.jitter() == null && p.maxElapsed() == null && p.mode() == null)) {
            return null;
        }
        try {
            RetryPolicy policy = RetryPolicy.defaults();
            if (p.initialDelay() != null || p.maxDelay() != null) {
                Duration initial = p.initialDelay() != null ? p.initialDelay() : RetryPolicy.DEFAULT_INITIAL_DELAY;
                Duration max = p.maxDelay() != null ? p.maxDelay()
                        : initial.compareTo(RetryPolicy.DEFAULT_MAX_DELAY) > 0 ? initial : RetryPolicy.DEFAULT_MAX_DELAY;
                policy = RetryPolicy.exponential(initial, max).jitter(0.1);
            }
            policy = p.maxAttempts() != null ? policy.maxAttempts(p.maxAttempts()) : policy;
            policy = p.multiplier() != null ? policy.multiplier(p.multiplier()) : policy;
            policy = p.jitter() != null ? policy.jitter(p.jitter()) : policy;
            policy = p.maxElapsed() != null ? policy.maxElapsed(p.maxElapsed()) : policy;
            return p.mode() != null ? policy.mode(p.mode()) : policy;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("eventcore.router.retry: " + e.getMessage(), e);
        }
    }

    private static <T> void route(EventRouter.Builder builder, EventcoreHandler<T> handler) {
        builder.route(handler.payloadType(), handler, handler::options);
    }

    @Bean
    ManagedLifecycle<EventConsumer> eventcoreConsumerLifecycle(ConfigurableListableBeanFactory beans,
            EventcoreProperties properties) {
        EventcoreProperties.Consumer settings = properties.consumer();
        // Every EventConsumer bean but the named consumers (eventcore.consumers.*), which have lifecycles of their own.
        return new ManagedLifecycle<>("event consumer", () -> beans.getBeansOfType(EventConsumer.class).entrySet()
                .stream().filter(e -> !e.getKey().startsWith(KafkaConsumers.PREFIX)
                        && !e.getKey().startsWith(KafkaConsumers.SHARE_PREFIX)).map(Map.Entry::getValue).toList(),
                EventConsumer::start, EventConsumer::close, settings.shutdownTimeout(), CONSUMER_PHASE,
                settings.autoStartup());
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
