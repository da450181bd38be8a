package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.transport.ConsumerHealth;
import io.eventcore.transport.EventConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code eventcore.share-consumers.*} on a real broker: two members of one share group handle every job once. */
class ShareConsumerStarterIT {
    record ResizeJob(String id) {
    }

    static class Resizer {
        final Set<String> done = ConcurrentHashMap.newKeySet();

        @EventcoreListener
        public void resize(ResizeJob job) {
            done.add(job.id());
        }
    }

    @Test
    void twoMembersFromProperties_handleEveryJob_andReportHealth() {
        String bootstrap = EmbeddedKafka.bootstrapServers();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class,
                        EventcoreKafkaAutoConfiguration.class))
                .withBean(Resizer.class)
                .withBean("resizeTopic", NewTopic.class, () -> new NewTopic("starter-resize", 1, (short) 1))
                .withPropertyValues("spring.kafka.bootstrap-servers=" + bootstrap,
                        "eventcore.share-consumers.a.group-id=starter-resizers",
                        "eventcore.share-consumers.a.topics=starter-resize",
                        "eventcore.share-consumers.b.group-id=starter-resizers",
                        "eventcore.share-consumers.b.topics=starter-resize",
                        "eventcore.share-consumers.b.shutdown-timeout=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                            .topic("starter-resize").build()) {
                        List<Event<?>> jobs = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            jobs.add(Event.of("img-" + i, new ResizeJob("img-" + i)));
                        }
                        publisher.publishAll(jobs).toCompletableFuture().join();
                    }
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> context.getBean(Resizer.class).done.size() == 50);
                    assertThat(context.getBeansOfType(EventConsumer.class).values())
                            .allSatisfy(c -> assertThat(c.health().status()).isEqualTo(ConsumerHealth.Status.UP));
                });
    }
}
