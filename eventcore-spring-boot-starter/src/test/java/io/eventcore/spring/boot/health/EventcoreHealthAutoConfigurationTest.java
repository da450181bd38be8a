package io.eventcore.spring.boot.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.spring.boot.EventcoreAutoConfiguration;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryOutboxStore;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class EventcoreHealthAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                    EventcoreHealthAutoConfiguration.class));

    /** A consumer with a settable health. */
    static final class FixedHealthConsumer implements EventConsumer {
        volatile ConsumerHealth health = new ConsumerHealth(ConsumerHealth.Status.UP, "");

        @Override
        public void start() {
        }

        @Override
        public void close(Duration timeout) {
        }

        @Override
        public ConsumerHealth health() {
            return health;
        }
    }

    @Test
    void consumerIndicator_reportsEachConsumer() {
        runner.withBean("billingConsumer", FixedHealthConsumer.class, FixedHealthConsumer::new).run(context -> {
            HealthIndicator indicator = context.getBean("eventcoreConsumersHealthIndicator", HealthIndicator.class);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            context.getBean(FixedHealthConsumer.class).health =
                    new ConsumerHealth(ConsumerHealth.Status.STALLED, "orders-1 stuck at offset 7 since 12:00");
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("billingConsumer",
                    Map.of("status", "STALLED", "detail", "orders-1 stuck at offset 7 since 12:00"));
        });
    }

    @Test
    void stoppedConsumer_isOutOfService() {
        runner.withBean(FixedHealthConsumer.class, FixedHealthConsumer::new).run(context -> {
            context.getBean(FixedHealthConsumer.class).health = new ConsumerHealth(ConsumerHealth.Status.STOPPED, "");
            assertThat(context.getBean("eventcoreConsumersHealthIndicator", HealthIndicator.class).health()
                    .getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        });
    }

    @Test
    void relayIndicator_reportsRunningAndStoppedRelay() {
        InMemoryBroker broker = new InMemoryBroker();
        OutboxPublisher relay = OutboxPublisher.builder().store(InMemoryOutboxStore.create())
                .publisher(broker.publisher()).relayId("relay-h").build();
        runner.withBean(OutboxPublisher.class, () -> relay).run(context -> {
            HealthIndicator indicator = context.getBean("eventcoreRelayHealthIndicator", HealthIndicator.class);
            Health down = indicator.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            relay.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> indicator.health().getStatus().equals(Status.UP));
            Health up = indicator.health();
            assertThat(up.getDetails()).containsKey("outboxPublisher");
            @SuppressWarnings("unchecked")
            Map<String, Object> detail = (Map<String, Object>) up.getDetails().get("outboxPublisher");
            assertThat(detail).containsEntry("relayId", "relay-h").containsEntry("running", true);
        });
    }

    @Test
    void noConsumerNorRelay_noIndicators() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(HealthIndicator.class));
    }

    @Test
    void disabledByProperty_noIndicators() {
        runner.withPropertyValues("management.health.eventcore.enabled=false")
                .withBean(FixedHealthConsumer.class, FixedHealthConsumer::new)
                .run(context -> assertThat(context).doesNotHaveBean(HealthIndicator.class));
    }

    @Test
    void healthNotOnClasspath_noIndicators() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .withBean(FixedHealthConsumer.class, FixedHealthConsumer::new)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("eventcoreConsumersHealthIndicator"));
    }
}
