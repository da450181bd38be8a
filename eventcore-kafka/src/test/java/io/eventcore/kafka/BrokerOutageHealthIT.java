package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.routing.EventRouter;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import io.eventcore.transport.ConsumerHealth;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Health tells the truth during a broker outage (issue 25): a consumer whose broker process is SIGKILLed reports
 * {@code DISCONNECTED} within the documented 15 s, and {@code UP} again once the broker is back.
 */
class BrokerOutageHealthIT {
    record Ping(String id) {
    }

    @Test
    void consumer_isDisconnectedWithin15s_ofTheBrokerDying_andUpAfterItsRestart() {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
            KafkaTopics.create(broker.bootstrapServers(), 3, "outage-pings");
            EventRouter router = EventRouter.builder().route(Ping.class, (e, c) -> { }).build();
            KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(broker.bootstrapServers())
                    .groupId("outage").topics("outage-pings").router(router).build();
            try {
                consumer.start();
                Awaitility.await("UP with the broker running").atMost(Duration.ofSeconds(60))
                        .until(() -> consumer.health().status() == ConsumerHealth.Status.UP);
                // and stays UP while the broker runs
                Awaitility.await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> consumer.health().status() == ConsumerHealth.Status.UP);

                broker.kill();
                long killed = System.nanoTime();
                Awaitility.await("DISCONNECTED after the broker died").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> consumer.health().status() == ConsumerHealth.Status.DISCONNECTED);
                assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThanOrEqualTo(Duration.ofSeconds(15));
                assertThat(consumer.health().detail()).contains("no broker reachable");

                broker.restart();
                Awaitility.await("UP after the restart").atMost(Duration.ofSeconds(60))
                        .until(() -> consumer.health().status() == ConsumerHealth.Status.UP);
            } finally {
                consumer.close(Duration.ofSeconds(10));
                router.close();
            }
        }
    }
}
