package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.InboundMessage;
import io.eventcore.micrometer.MicrometerMetrics;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.routing.UnknownTypePolicy;
import io.eventcore.test.InMemoryDeadLetterSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class EventcoreAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class));

    static final class OrderPlacedHandler implements EventcoreHandler<OrderPlaced> {
        @Override
        public Class<OrderPlaced> payloadType() {
            return OrderPlaced.class;
        }

        @Override
        public void handle(Event<OrderPlaced> event, EventContext context) {
        }
    }

    @Test
    void handlerBeans_becomeRoutes() {
        runner.withBean(OrderPlacedHandler.class).run(context -> {
            assertThat(context).hasSingleBean(EventRouter.class);
            assertThat(context.getBean(EventRouter.class).eventTypes()).containsExactly("OrderPlaced");
        });
    }

    @Test
    void noHandlersNorCustomizers_noRouter() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(EventRouter.class));
    }

    @Test
    void customizers_addToTheBuilder() {
        runner.withBean(OrderPlacedHandler.class)
                .withBean(EventRouterCustomizer.class, () -> builder -> builder.routeRaw("Audit", (message, ctx) -> { }))
                .run(context -> assertThat(context.getBean(EventRouter.class).eventTypes())
                        .containsExactlyInAnyOrder("OrderPlaced", "Audit"));
    }

    @Test
    void routerProperties_areBound() {
        runner.withBean(OrderPlacedHandler.class)
                .withPropertyValues("eventcore.router.unknown-type=SKIP", "eventcore.router.handler-timeout=5s")
                .run(context -> {
                    EventcoreProperties.Router router = context.getBean(EventcoreProperties.class).router();
                    assertThat(router.unknownType()).isEqualTo(UnknownTypePolicy.SKIP);
                    assertThat(router.handlerTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(context).hasSingleBean(EventRouter.class);
                });
    }

    @Test
    void invalidRouterProperty_failsStartup() {
        runner.withBean(OrderPlacedHandler.class).withPropertyValues("eventcore.router.handler-timeout=0s")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("handlerTimeout"));
    }

    @Test
    void ownRouter_backsOff() {
        EventRouter own = EventRouter.builder().routeRaw("Mine", (message, ctx) -> { }).build();
        runner.withBean(OrderPlacedHandler.class).withBean(EventRouter.class, () -> own)
                .run(context -> assertThat(context.getBean(EventRouter.class)).isSameAs(own));
    }

    @Test
    void deadLetterSinkBean_isUsedByTheRouter() {
        InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
        runner.withBean(OrderPlacedHandler.class).withBean(InMemoryDeadLetterSink.class, () -> sink).run(context -> {
            InboundMessage unknown = InboundMessage.builder("orders").header("event_type", "Unknown")
                    .value("{}".getBytes(StandardCharsets.UTF_8)).build();
            DispatchResult result = context.getBean(EventRouter.class).dispatch(unknown).toCompletableFuture().join();
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
            assertThat(sink.deadLetters()).hasSize(1);
        });
    }

    @Test
    void meterRegistry_givesMicrometerMetrics() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasSingleBean(MicrometerMetrics.class));
    }

    @Test
    void noMeterRegistry_noMetrics() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerMetrics.class));
    }

    @Test
    void micrometerNotOnClasspath_noMetrics() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .withBean(OrderPlacedHandler.class)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(MicrometerMetrics.class);
                    assertThat(context).hasSingleBean(EventRouter.class);
                });
    }

    @Test
    void consumerBean_isStartedAndClosedWithTheShutdownTimeout() {
        RecordingConsumer consumer = new RecordingConsumer();
        runner.withPropertyValues("eventcore.consumer.shutdown-timeout=7s")
                .withBean(RecordingConsumer.class, () -> consumer)
                .run(context -> assertThat(consumer.state.get()).isEqualTo("started"));
        assertThat(consumer.state.get()).isEqualTo("closed");
        assertThat(consumer.closedWith.get()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void everyConsumerBean_isStartedAndClosed() {
        RecordingConsumer first = new RecordingConsumer();
        RecordingConsumer second = new RecordingConsumer();
        runner.withBean("first", RecordingConsumer.class, () -> first)
                .withBean("second", RecordingConsumer.class, () -> second)
                .run(context -> assertThat(List.of(first.state.get(), second.state.get()))
                        .containsExactly("started", "started"));
        assertThat(List.of(first.state.get(), second.state.get())).containsExactly("closed", "closed");
    }

    @Test
    void autoStartupFalse_leavesTheConsumerAlone() {
        RecordingConsumer consumer = new RecordingConsumer();
        runner.withPropertyValues("eventcore.consumer.auto-startup=false")
                .withBean(RecordingConsumer.class, () -> consumer)
                .run(context -> assertThat(consumer.state.get()).isEqualTo("new"));
    }
}
