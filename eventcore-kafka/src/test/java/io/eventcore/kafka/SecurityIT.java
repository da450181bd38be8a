package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventcore.Event;
import io.eventcore.routing.EventRouter;
import io.eventcore.EventType;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaBrokerProcess.Security;
import io.eventcore.test.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A broker (child JVM) that only accepts SASL/PLAIN or TLS: the security properties given to the
 * builders reach every client eventcore creates (publisher, consumer, retry-topic producer, dead-letter
 * producer), a wrong password is refused, and the password never shows in {@code toString()}.
 */
class SecurityIT {
    @EventType("Paid")
    record Paid(String id) {
    }

    @ParameterizedTest
    @EnumSource(value = Security.class, names = {"SASL_PLAIN", "SSL"})
    void securedBroker_everyClientConnects_throughPassedProperties(Security security) throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(security)) {
            Map<String, Object> clientProps = broker.clientProperties();
            KafkaClientSettings client = KafkaClientSettings.builder().properties(clientProps).build();
            String topic = "secure-" + security.name().toLowerCase();
            KafkaTopics.create(clientProps, 2, Map.of(), topic, KafkaEventConsumer.defaultRetryTopic(topic, "secure"));
            KafkaTopics.create(clientProps, 1, Map.of(), topic + ".dlq");
            Set<String> handled = ConcurrentHashMap.newKeySet();
            AtomicBoolean failedOnce = new AtomicBoolean();
            try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().client(client).topic(topic).build();
                    KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().client(client).build();
                    EventRouter router = EventRouter.builder()
                            .route(Paid.class, (e, ctx) -> {
                                if (e.payload().id().equals("poison")) {
                                    throw new NonRetryableException("rejected");
                                }
                                if (e.payload().id().equals("retry") && failedOnce.compareAndSet(false, true)) {
                                    throw new IllegalStateException("once");
                                }
                                handled.add(e.payload().id());
                            })
                            .retry(RetryPolicy.fixed(Duration.ofMillis(50)).maxAttempts(3).mode(RetryMode.REDELIVER))
                            .deadLetter(dlq).build();
                    KafkaEventConsumer consumer = KafkaEventConsumer.builder().client(client).groupId("secure")
                            .topics(topic).router(router).build()) {
                assertThat(publisher.toString()).doesNotContain(KafkaBrokerProcess.SASL_PASSWORD)
                        .doesNotContain("changeit");
                assertThat(consumer.toString()).doesNotContain(KafkaBrokerProcess.SASL_PASSWORD);
                assertThat(client.toString()).doesNotContain(KafkaBrokerProcess.SASL_PASSWORD).doesNotContain("changeit");
                consumer.start();
                for (String id : List.of("ok", "retry", "poison")) {
                    publisher.publish(Event.of(id, new Paid(id))).toCompletableFuture().get(60, TimeUnit.SECONDS);
                }
                Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> handled.containsAll(Set.of("ok", "retry")));
                assertThat(failedOnce).as("the retry went through the retry topic's producer").isTrue();
                List<ConsumerRecord<byte[], byte[]>> letters = read(clientProps, topic + ".dlq", 1);
                assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).contains("poison");
            }

            Map<String, Object> wrong = new HashMap<>(clientProps);
            if (security == Security.SASL_PLAIN) {
                wrong.putAll(KafkaBrokerProcess.saslClient("wrong-password"));
            } else {
                wrong.remove("ssl.truststore.location");
                wrong.remove("ssl.truststore.password");
                wrong.remove("ssl.truststore.type");
            }
            Map<String, Object> fast = Map.of("max.block.ms", "5000", "delivery.timeout.ms", "5000",
                    "request.timeout.ms", "4000");
            try (KafkaEventPublisher refused = KafkaEventPublisher.builder()
                    .client(KafkaClientSettings.builder().properties(wrong).build()).properties(fast).topic(topic)
                    .build()) {
                Throwable failure = catchThrowable(() -> refused.publish(Event.of("x", new Paid("x")))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS));
                assertThat(failure).as("a client without the right credentials is refused").isNotNull();
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(Map<String, Object> client, String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(client, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            Awaitility.await().pollInSameThread().atMost(60, TimeUnit.SECONDS).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= count;
            });
        }
        return out;
    }
}
