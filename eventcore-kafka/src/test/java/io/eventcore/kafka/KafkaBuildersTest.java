package io.eventcore.kafka;

import io.eventcore.transport.TopicNaming;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KafkaBuildersTest {
    private final EventRouter router = EventRouter.builder().route("X", String.class, (e, c) -> { }).build();

    @Test
    void consumer_missingOrConflictingSettings_failAtBuild() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").topics("t")
                .router(router).build()).hasMessage("groupId must be set");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .topics("t").build()).hasMessage("router must be set");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .router(router).build()).hasMessage("exactly one of topics or topicPattern must be set, but neither was");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .router(router).topics("t").topicPattern(Pattern.compile("t.*")).build())
                .hasMessage("exactly one of topics or topicPattern must be set, but both were");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().groupId("g").topics("t").router(router).build())
                .hasMessageContaining("bootstrapServers must be set");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .topics("t").router(router).properties(Map.of("enable.auto.commit", "true")).build())
                .hasMessageStartingWith("enable.auto.commit must be false");
    }

    @Test
    void consumer_badValues_areRejectedNamingTheSetting() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().maxConcurrency(0))
                .hasMessage("maxConcurrency must be >= 1, but was 0");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().maxInFlight(-1))
                .hasMessage("maxInFlight must be >= 1, but was -1");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().topics(""))
                .hasMessage("topics must not be blank, but was ''");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().commitInterval(Duration.ZERO))
                .hasMessage("commitInterval must be > 0, but was PT0S");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().groupId(" "))
                .hasMessage("groupId must not be blank, but was ' '");
    }

    @Test
    void publisher_defaultsAreIdempotentAllAcks_andSecretsAreMasked() {
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers("127.0.0.1:1")
                .closeTimeout(Duration.ZERO)
                .properties(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                                + "username=\"u\" password=\"s3cr3t\";",
                        "ssl.truststore.password", "hunter2"))
                .build()) {
            String text = publisher.toString();
            assertThat(text).contains("enable.idempotence=true").contains("acks=all")
                    .contains("sasl.jaas.config=[hidden]").contains("ssl.truststore.password=[hidden]")
                    .doesNotContain("s3cr3t").doesNotContain("hunter2");
        }
    }

    @Test
    void publisher_withoutTopicStrategy_failsNamingTheSetting() {
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers("127.0.0.1:1")
                .closeTimeout(Duration.ZERO).build()) {
            assertThatThrownBy(() -> publisher.publish(io.eventcore.Event.of("k", "v")))
                    .hasMessageContaining("no topic naming strategy");
        }
        assertThatThrownBy(() -> KafkaEventPublisher.builder().build()).hasMessageContaining("bootstrapServers");
    }

    @Test
    void topicNaming_perType_isKebabCase() {
        assertThat(TopicNaming.perType("shop.").topicFor("OrderCreated", null, "k"))
                .isEqualTo("shop.order-created");
    }

    @Test
    void redrive_requiresTopicAndServers() {
        assertThatThrownBy(() -> DeadLetterRedrive.builder().dlqTopic("t.dlq").build())
                .hasMessage("bootstrapServers must be set");
        assertThatThrownBy(() -> DeadLetterRedrive.builder().bootstrapServers("127.0.0.1:1").build())
                .hasMessage("dlqTopic must be set");
    }
}
