package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import io.eventcore.spring.boot.outbox.EventcoreOutboxAutoConfiguration;
import io.eventcore.spring.boot.outbox.OutboxAppender;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.EventPublisher;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** An {@code ObservationRegistry} bean turns on observations of the router, the publisher, the outbox and the relay. */
class EventcoreObservationAutoConfigurationTest {
    private final Recorder recorder = new Recorder();
    private final ObservationRegistry registry = ObservationRegistry.create();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class))
            .withBean(EventcoreAutoConfigurationTest.OrderPlacedHandler.class);

    EventcoreObservationAutoConfigurationTest() {
        registry.observationConfig().observationHandler(recorder);
    }

    @Test
    void observationRegistry_givesOneMicrometerInstrumentation() {
        runner.withBean(ObservationRegistry.class, () -> registry)
                .run(context -> assertThat(context).hasSingleBean(EventInstrumentation.class)
                        .hasSingleBean(MicrometerInstrumentation.class));
    }

    @Test
    void observationRegistry_routerDispatch_isObservedAsProcess() {
        runner.withBean(ObservationRegistry.class, () -> registry).run(context -> {
            DispatchOutcome outcome = context.getBean(EventRouter.class).dispatch(orderPlaced())
                    .toCompletableFuture().join().outcome();

            assertThat(outcome).isEqualTo(DispatchOutcome.SUCCEEDED);
            Observation.Context process = recorder.one(MicrometerInstrumentation.PROCESS);
            assertThat(tag(process, "messaging.destination.name")).isEqualTo("orders");
            assertThat(tag(process, "eventcore.event.type")).isEqualTo("OrderPlaced");
            assertThat(tag(process, "eventcore.outcome")).isEqualTo("succeeded");
        });
    }

    @Test
    void observationRegistry_kafkaPublish_isObservedAsSend() {
        // Nothing listens on port 9: the send fails once the metadata wait (max.block.ms) is over.
        runner.withConfiguration(AutoConfigurations.of(EventcoreKafkaAutoConfiguration.class))
                .withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("eventcore.kafka.bootstrap-servers=127.0.0.1:9", "eventcore.publisher.topic=orders",
                        "eventcore.publisher.properties.max.block.ms=200", "eventcore.publisher.close-timeout=1s")
                .run(context -> {
                    KafkaEventPublisher publisher = context.getBean(KafkaEventPublisher.class);
                    assertThatThrownBy(() -> publisher.publish(Event.of("o-1", new OrderPlaced("o-1")))
                            .toCompletableFuture().join()).isInstanceOf(CompletionException.class);

                    // The observation stops in a callback of the send, which may run after join returns.
                    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.named(MicrometerInstrumentation.SEND) > 0);
                    Observation.Context send = recorder.one(MicrometerInstrumentation.SEND);
                    assertThat(tag(send, "messaging.destination.name")).isEqualTo("orders");
                    assertThat(tag(send, "eventcore.outcome")).isEqualTo("failed");
                });
    }

    @Test
    void observationRegistry_outboxAppendAndRelay_areObservedAsCreateAndRelay() {
        InMemoryBroker broker = new InMemoryBroker();
        DataSource dataSource = TestDatabase.h2("boot-observation-" + UUID.randomUUID()).dataSource();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class, EventcoreOutboxAutoConfiguration.class))
                .withPropertyValues("eventcore.kafka.enabled=false", "eventcore.outbox.create-schema=true")
                .withBean(DataSource.class, () -> dataSource)
                .withBean(EventPublisher.class, broker::publisher)
                .withBean(ObservationRegistry.class, () -> registry)
                .run(context -> {
                    assertThat(context).hasSingleBean(OutboxPublisher.class);
                    TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
                    tx.executeWithoutResult(status -> context.getBean(OutboxAppender.class)
                            .append(OutboxEvent.of("Order", "o-1", new OrderPlaced("o-1"))));

                    assertThat(tag(recorder.one(MicrometerInstrumentation.CREATE), "messaging.destination.name"))
                            .isEqualTo("Order");
                    await().atMost(Duration.ofSeconds(20)).until(() -> recorder.named(MicrometerInstrumentation.RELAY) > 0);
                    Observation.Context relay = recorder.one(MicrometerInstrumentation.RELAY);
                    assertThat(tag(relay, "messaging.destination.name")).isEqualTo("order-events");
                    // The transactional relay (the default) observes the send, then commits: await the commit.
                    await().atMost(Duration.ofSeconds(20)).until(() -> !broker.messages("order-events").isEmpty());
                    assertThat(broker.messages("order-events")).hasSize(1);
                });
    }

    @Test
    void noObservationRegistry_noInstrumentation() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(EventInstrumentation.class)
                .hasSingleBean(EventRouter.class));
    }

    @Test
    void observationDisabled_noInstrumentation_nothingObserved() {
        runner.withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("eventcore.observation.enabled=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(EventInstrumentation.class);
                    context.getBean(EventRouter.class).dispatch(orderPlaced()).toCompletableFuture().join();
                    assertThat(recorder.stopped).isEmpty();
                });
    }

    @Test
    void ownInstrumentation_backsOff_andIsUsedByTheRouter() {
        CountingInstrumentation own = new CountingInstrumentation();
        runner.withBean(ObservationRegistry.class, () -> registry)
                .withBean(EventInstrumentation.class, () -> own)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(MicrometerInstrumentation.class)
                            .hasSingleBean(EventInstrumentation.class);
                    context.getBean(EventRouter.class).dispatch(orderPlaced()).toCompletableFuture().join();
                    assertThat(own.processed.get()).isEqualTo(1);
                    assertThat(recorder.stopped).isEmpty();
                });
    }

    @Test
    void micrometerObservationNotOnClasspath_noInstrumentation() {
        runner.withClassLoader(new FilteredClassLoader(ObservationRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(EventInstrumentation.class)
                        .hasSingleBean(EventRouter.class));
    }

    private static InboundMessage orderPlaced() {
        return InboundMessage.builder("orders").header(EventHeaders.EVENT_TYPE, "OrderPlaced")
                .header(EventHeaders.EVENT_ID, "e-1")
                .value("{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static String tag(Observation.Context context, String key) {
        KeyValue value = context.getLowCardinalityKeyValue(key);
        return value == null ? null : value.getValue();
    }

    /** Keeps every stopped observation. */
    private static final class Recorder implements ObservationHandler<Observation.Context> {
        final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStop(Observation.Context context) {
            stopped.add(context);
        }

        long named(String name) {
            return stopped.stream().filter(c -> name.equals(c.getName())).count();
        }

        Observation.Context one(String name) {
            List<Observation.Context> found = stopped.stream().filter(c -> name.equals(c.getName())).toList();
            assertThat(found).as("observations named %s among %s", name,
                    stopped.stream().map(Observation.Context::getName).toList()).hasSize(1);
            return found.get(0);
        }
    }

    /** An application's own instrumentation: counts the messages it sees processed. */
    private static final class CountingInstrumentation implements EventInstrumentation {
        final AtomicInteger processed = new AtomicInteger();

        @Override
        public Observed process(InboundMessage message, String eventType) {
            processed.incrementAndGet();
            return Observed.NONE;
        }
    }
}
