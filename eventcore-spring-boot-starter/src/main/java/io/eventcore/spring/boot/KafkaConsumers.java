package io.eventcore.spring.boot;

import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventConsumerBuilder;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.kafka.KafkaOutput;
import io.eventcore.kafka.KafkaShareEventConsumer;
import io.eventcore.kafka.KafkaShareEventConsumerBuilder;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.internal.ManagedLifecycle;
import io.eventcore.transport.ConsumerMetrics;
import io.eventcore.transport.EventConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Builds {@link KafkaEventConsumer}s from {@code eventcore.consumer.*} (one consumer) and registers one bean per
 * entry of {@code eventcore.consumers.<name>.*} (several consumers: their own groups, topics, ordering and
 * concurrency, one router), named {@code eventcoreConsumer.<name>}, and one {@link KafkaShareEventConsumer} per
 * entry of {@code eventcore.share-consumers.<name>.*}, named {@code eventcoreShareConsumer.<name>}; each with a
 * lifecycle of its own.
 */
final class KafkaConsumers implements BeanDefinitionRegistryPostProcessor {
    /** Prefix of the named consumers' properties. */
    static final String NAMED = "eventcore.consumers";
    /** Prefix of the named consumers' bean names. */
    static final String PREFIX = "eventcoreConsumer.";
    /** Prefix of the share consumers' properties. */
    static final String SHARE = "eventcore.share-consumers";
    /** Prefix of the share consumers' bean names. */
    static final String SHARE_PREFIX = "eventcoreShareConsumer.";

    private final Environment environment;
    private ConfigurableListableBeanFactory beans;

    KafkaConsumers(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        Map<String, EventcoreProperties.Consumer> named = Binder.get(environment)
                .bind(NAMED, Bindable.mapOf(String.class, EventcoreProperties.Consumer.class)).orElse(Map.of());
        named.forEach((name, settings) -> {
            if (settings.enabled()) {
                register(registry, PREFIX + name, name, KafkaEventConsumer.class,
                        () -> create(NAMED + "." + name, settings, beans, environment), settings.shutdownTimeout(),
                        settings.autoStartup());
            }
        });
        registerShareConsumers(registry);
    }

    private void registerShareConsumers(BeanDefinitionRegistry registry) {
        Map<String, EventcoreProperties.ShareConsumer> share = Binder.get(environment)
                .bind(SHARE, Bindable.mapOf(String.class, EventcoreProperties.ShareConsumer.class)).orElse(Map.of());
        share.forEach((name, settings) -> {
            if (settings.enabled()) {
                register(registry, SHARE_PREFIX + name, name, KafkaShareEventConsumer.class,
                        () -> share(SHARE + "." + name, settings), settings.shutdownTimeout(), settings.autoStartup());
            }
        });
    }

    /** Registers a consumer bean, closed with the context, and its own lifecycle (auto-startup, shutdown timeout). */
    private <C extends EventConsumer> void register(BeanDefinitionRegistry registry, String bean, String name,
            Class<C> type, java.util.function.Supplier<C> create, java.time.Duration shutdownTimeout,
            boolean autoStartup) {
        RootBeanDefinition definition = new RootBeanDefinition(type, create);
        definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
        registry.registerBeanDefinition(bean, definition);
        registry.registerBeanDefinition(bean + ".lifecycle", new RootBeanDefinition(ManagedLifecycle.class,
                () -> new ManagedLifecycle<EventConsumer>("event consumer " + name,
                        () -> List.of(beans.getBean(bean, EventConsumer.class)), EventConsumer::start,
                        EventConsumer::close, shutdownTimeout, EventcoreAutoConfiguration.CONSUMER_PHASE,
                        autoStartup)));
    }

    private KafkaShareEventConsumer share(String prefix, EventcoreProperties.ShareConsumer settings) {
        EventRouter router = beans.getBeanProvider(EventRouter.class).getIfUnique();
        if (router == null) {
            throw new IllegalStateException(prefix + " is set but there is no single EventRouter bean: declare "
                    + "@EventcoreListener methods, EventcoreHandler or EventRouterCustomizer beans");
        }
        if (settings.groupId() == null || settings.groupId().isBlank()) {
            throw new IllegalStateException(prefix + ".group-id must be set");
        }
        if (settings.topics() == null || settings.topics().isEmpty()) {
            throw new IllegalStateException(prefix + ".topics must be set");
        }
        KafkaShareEventConsumerBuilder builder = KafkaShareEventConsumer.builder()
                .client(beans.getBean(KafkaClientSettings.class)).groupId(settings.groupId())
                .topics(settings.topics().toArray(String[]::new)).router(router).fromEarliest(settings.fromEarliest());
        if (settings.maxConcurrency() != null) {
            builder.maxConcurrency(settings.maxConcurrency());
        }
        if (settings.deliveryLimit() != null) {
            builder.deliveryLimit(settings.deliveryLimit());
        }
        if (settings.renewAfter() != null) {
            builder.renewAfter(settings.renewAfter());
        }
        Boolean virtual = virtualThreads(settings.virtualThreads(), environment);
        if (virtual != null) {
            builder.virtualThreads(virtual);
        }
        if (settings.properties() != null && !settings.properties().isEmpty()) {
            builder.properties(settings.properties());
        }
        return builder.build();
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
        this.beans = beanFactory;
    }

    /**
     * @param prefix the settings' property prefix, for messages
     * @param settings the consumer's settings
     * @param beans where the router, the client settings, metrics and exactly-once outputs come from
     * @param environment for {@code spring.threads.virtual.enabled}
     * @return the consumer, not started
     */
    static KafkaEventConsumer create(String prefix, EventcoreProperties.Consumer settings, BeanFactory beans,
            Environment environment) {
        EventRouter router = beans.getBeanProvider(EventRouter.class).getIfUnique();
        if (settings.groupId() == null || settings.groupId().isBlank()) {
            throw new IllegalStateException(prefix + ".group-id must be set");
        }
        if (router == null) {
            throw new IllegalStateException(prefix + ".group-id is set (" + settings.groupId() + ") but there is no"
                    + " single EventRouter bean: declare @EventcoreListener methods, EventcoreHandler or"
                    + " EventRouterCustomizer beans");
        }
        List<String> topics = settings.topics();
        if (topics == null || topics.isEmpty()) {
            throw new IllegalStateException(prefix + ".topics must be set when " + prefix + ".group-id is, but group "
                    + settings.groupId() + " has none");
        }
        KafkaEventConsumerBuilder builder = KafkaEventConsumer.builder()
                .client(beans.getBean(KafkaClientSettings.class)).groupId(settings.groupId())
                .topics(topics.toArray(String[]::new)).router(router);
        if (settings.ordering() != null) {
            builder.ordering(settings.ordering());
        }
        if (settings.maxConcurrency() != null) {
            builder.maxConcurrency(settings.maxConcurrency());
        }
        Boolean virtual = virtualThreads(settings.virtualThreads(), environment);
        if (virtual != null) {
            builder.virtualThreads(virtual);
        }
        if (settings.stallTimeout() != null) {
            builder.stallTimeout(settings.stallTimeout());
        }
        if (settings.drainTimeout() != null) {
            builder.drainTimeout(settings.drainTimeout());
        }
        if (settings.properties() != null && !settings.properties().isEmpty()) {
            builder.properties(settings.properties());
        }
        beans.getBeanProvider(ConsumerMetrics.class).ifUnique(builder::metrics);
        if (settings.exactlyOnce()) {
            builder.exactlyOnce(outputs(beans.getBeanProvider(KafkaEventPublisher.class),
                    beans.getBeanProvider(DeadLetterSink.class)));
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

    /**
     * @return the setting when given, else {@code spring.threads.virtual.enabled} where the JVM has virtual threads,
     *     else {@code null} (the library's default)
     */
    private static Boolean virtualThreads(Boolean setting, Environment environment) {
        return setting != null ? setting : Runtime.version().feature() >= 21
                ? environment.getProperty("spring.threads.virtual.enabled", Boolean.class) : null;
    }
}
