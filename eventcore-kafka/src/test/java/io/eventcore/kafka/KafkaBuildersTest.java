package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.routing.EventRouter;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaBuildersTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"u\" password=\"s3cr3t\";";
    private static final KafkaClientSettings NOWHERE = KafkaClientSettings.of("127.0.0.1:1");

    private final EventRouter router = EventRouter.builder().route("X", String.class, (e, c) -> { }).build();

    @AfterEach
    void closeRouter() {
        router.close();
    }

    private KafkaEventConsumerBuilder consumer() {
        return KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g").topics("t").router(router);
    }

    private static KafkaClientSettings secured() {
        return KafkaClientSettings.builder().bootstrapServers("127.0.0.1:1").securityProtocol("SASL_PLAINTEXT")
                .sasl("PLAIN", JAAS).properties(Map.of("ssl.truststore.password", "hunter2")).build();
    }

    // --- consumer ---

    @Test
    void consumer_missingSettings_failAtBuildNamingThem() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").topics("t")
                .router(router).build()).isInstanceOf(IllegalStateException.class).hasMessage("groupId must be set");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .topics("t").build()).isInstanceOf(IllegalStateException.class).hasMessage("router must be set");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g")
                .router(router).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("exactly one of topics or topicPattern must be set, but neither was");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().groupId("g").topics("t").router(router).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("client must be set: bootstrapServers(String) or client(KafkaClientSettings)");
    }

    @Test
    void consumer_topicsAndTopicPattern_areRejectedNamingBoth() {
        assertThatThrownBy(() -> consumer().topicPattern(Pattern.compile("t.*")))
                .isInstanceOf(IllegalStateException.class).hasMessage("topicPattern conflicts with topics [t]: set exactly one");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().topicPattern(Pattern.compile("t.*")).topics("t"))
                .isInstanceOf(IllegalStateException.class).hasMessage("topics conflicts with topicPattern (t.*): set exactly one");
    }

    @Test
    void consumer_autoCommitOrOtherGroup_isRejectedAtBuild() {
        assertThatThrownBy(() -> consumer().properties(Map.of("enable.auto.commit", "true")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("enable.auto.commit must be false");
        assertThatThrownBy(() -> consumer().properties(Map.of("group.id", "other")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("group.id property (other) conflicts with groupId (g)");
    }

    @Test
    void consumer_badValues_areRejectedNamingTheSetting() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().maxConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency must be >= 1, but was 0");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().maxInFlight(-1))
                .hasMessage("maxInFlight must be >= 1, but was -1");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().topics(""))
                .hasMessage("topics must not be blank, but was ''");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().topics())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topics must name at least one topic, but was empty");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().commitInterval(Duration.ZERO))
                .hasMessage("commitInterval must be > 0, but was PT0S");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().groupId(" "))
                .hasMessage("groupId must not be blank, but was ' '");
        assertThatThrownBy(() -> KafkaEventConsumer.builder().failedBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxFailedBackoff must be >= failedBackoff (PT2S), but was PT1S");
    }

    @Test
    void consumer_repeatedSetting_isRejectedNamingIt() {
        assertThatThrownBy(() -> consumer().groupId("h"))
                .isInstanceOf(IllegalStateException.class).hasMessage("groupId was already set to g");
        assertThatThrownBy(() -> consumer().topics("u")).hasMessage("topics was already set to [t]");
        assertThatThrownBy(() -> consumer().router(router)).hasMessageStartingWith("router was already set");
        assertThatThrownBy(() -> consumer().maxInFlight(5).maxInFlight(6))
                .isInstanceOf(IllegalStateException.class).hasMessage("maxInFlight was already set to 5");
        assertThatThrownBy(() -> consumer().retryTopics(false).retryTopics(false))
                .hasMessage("retryTopics was already set to false");
        assertThatThrownBy(() -> consumer().properties(Map.of("max.poll.records", 10)).properties(Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("properties was already set");
        assertThatThrownBy(() -> consumer().bootstrapServers("127.0.0.1:2"))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("bootstrapServers was already set");
        assertThatThrownBy(() -> consumer().client(NOWHERE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("client conflicts with bootstrapServers, already set to KafkaClientSettings");
    }

    @Test
    void consumer_securityInProperties_isRejected_andSecretsAreMaskedInToString() {
        assertThatThrownBy(() -> KafkaEventConsumer.builder().properties(Map.of("sasl.jaas.config", JAAS)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("properties must not contain sasl.jaas.config")
                .hasMessageNotContaining("s3cr3t");
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().client(secured()).groupId("g").topics("t")
                .router(router).build();
        try {
            assertThat(consumer.toString()).contains("sasl.jaas.config=[hidden]").contains("enable.auto.commit=false")
                    .doesNotContain("s3cr3t").doesNotContain("hunter2");
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    // --- publisher ---

    @Test
    void publisher_withoutTopic_isRejectedAtBuild() {
        assertThatThrownBy(() -> KafkaEventPublisher.builder().bootstrapServers("127.0.0.1:1").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("topics must be set: topic(String) or topics(TopicNaming)");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().topic("t").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrapServers");
    }

    @Test
    void publisher_topicAndTopics_areRejectedNamingBoth() {
        assertThatThrownBy(() -> KafkaEventPublisher.builder().topic("a").topics(TopicNaming.perType("")))
                .isInstanceOf(IllegalStateException.class).hasMessage("topics conflicts with topic, already set: set exactly one");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().topics(TopicNaming.perType("")).topic("a"))
                .isInstanceOf(IllegalStateException.class).hasMessage("topic conflicts with topics, already set: set exactly one");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().topic("a").topic("b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("topic was already set to a");
    }

    @Test
    void publisher_repeatedSetting_isRejectedNamingIt() {
        assertThatThrownBy(() -> KafkaEventPublisher.builder().closeTimeout(Duration.ZERO).closeTimeout(Duration.ZERO))
                .isInstanceOf(IllegalStateException.class).hasMessage("closeTimeout was already set to PT0S");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().bootstrapServers("h:1").bootstrapServers("h:2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("bootstrapServers was already set to KafkaClientSettings{bootstrap.servers=h:1}");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().client(secured()).bootstrapServers("h:2"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("bootstrapServers conflicts with client").hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().properties(Map.of()).properties(Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessage("properties was already set to {}");
    }

    @Test
    void publisher_keyInClientSettingsAndProperties_isRejectedNamingIt() {
        KafkaClientSettings client = KafkaClientSettings.builder().bootstrapServers("127.0.0.1:1")
                .properties(Map.of("client.dns.lookup", "use_all_dns_ips")).build();
        assertThatThrownBy(() -> KafkaEventPublisher.builder().client(client).topic("t")
                .properties(Map.of("client.dns.lookup", "use_all_dns_ips")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("property client.dns.lookup is set both in the client settings and in properties: set it once");
        assertThatThrownBy(() -> KafkaEventPublisher.builder().properties(Map.of("bootstrap.servers", "h:1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("properties must not contain bootstrap.servers");
    }

    @Test
    void publisher_defaultsAreIdempotentAllAcks_andSecretsAreMasked() {
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().client(secured()).topic("t")
                .closeTimeout(Duration.ZERO).properties(Map.of("compression.type", "lz4")).build()) {
            assertThat(publisher.toString()).contains("enable.idempotence=true").contains("acks=all")
                    .contains("compression.type=lz4").contains("sasl.jaas.config=[hidden]")
                    .contains("ssl.truststore.password=[hidden]").doesNotContain("s3cr3t").doesNotContain("hunter2");
        }
    }

    @Test
    void topicNaming_perType_isKebabCase() {
        assertThat(TopicNaming.perType("shop.").topicFor("OrderCreated", null, "k"))
                .isEqualTo("shop.order-created");
    }

    // --- dead-letter sink and redrive ---

    @Test
    void deadLetterSink_settings_areCheckedLikeEveryBuilder() {
        assertThatThrownBy(() -> KafkaDeadLetterSink.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("client must be set");
        assertThatThrownBy(() -> KafkaDeadLetterSink.builder().sendTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sendTimeout must be > 0, but was PT0S");
        assertThatThrownBy(() -> KafkaDeadLetterSink.builder().sendTimeout(Duration.ofSeconds(1))
                .sendTimeout(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class).hasMessage("sendTimeout was already set to PT1S");
        assertThatThrownBy(() -> KafkaDeadLetterSink.builder().topicNaming(t -> t).topicNaming(t -> t))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("topicNaming was already set");
        assertThatThrownBy(() -> KafkaDeadLetterSink.builder().properties(Map.of("ssl.keystore.password", "x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("properties must not contain ssl.keystore.password");
    }

    @Test
    void redrive_requiresTopicAndClient_andRejectsRepeatedSettings() {
        assertThatThrownBy(() -> DeadLetterRedrive.builder().dlqTopic("t.dlq").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("client must be set: bootstrapServers(String) or client(KafkaClientSettings)");
        assertThatThrownBy(() -> DeadLetterRedrive.builder().client(NOWHERE).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("dlqTopic must be set");
        assertThatThrownBy(() -> DeadLetterRedrive.builder().dlqTopic("a").dlqTopic("b"))
                .isInstanceOf(IllegalStateException.class).hasMessage("dlqTopic was already set to a");
        assertThatThrownBy(() -> DeadLetterRedrive.builder().dryRun(true).dryRun(false))
                .isInstanceOf(IllegalStateException.class).hasMessage("dryRun was already set to true");
    }

    // --- client settings ---

    @Test
    void clientSettings_toString_masksEverySecret() {
        KafkaClientSettings settings = KafkaClientSettings.builder().bootstrapServers("b:9093")
                .securityProtocol("SASL_SSL").sasl("PLAIN", JAAS).truststore("/etc/trust.p12", "trust-pw")
                .keystore("/etc/key.p12", "store-pw", "key-pw")
                .properties(Map.of("sasl.oauthbearer.client.credentials.client.secret", "oauth-secret",
                        "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----", "client.dns.lookup", "use_all_dns_ips"))
                .build();
        assertThat(settings.toString()).contains("bootstrap.servers=b:9093").contains("security.protocol=SASL_SSL")
                .contains("sasl.mechanism=PLAIN").contains("ssl.truststore.location=/etc/trust.p12")
                .contains("client.dns.lookup=use_all_dns_ips").contains("sasl.jaas.config=[hidden]")
                .doesNotContain("s3cr3t").doesNotContain("trust-pw").doesNotContain("store-pw")
                .doesNotContain("key-pw").doesNotContain("oauth-secret").doesNotContain("PRIVATE KEY");
        assertThat(settings.properties()).containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.key.password", "key-pw");
        assertThat(settings.bootstrapServers()).isEqualTo("b:9093");
    }

    @Test
    void clientSettings_missingOrConflictingBootstrap_isRejected() {
        assertThatThrownBy(() -> KafkaClientSettings.builder().securityProtocol("SSL").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("bootstrapServers must be set (or the bootstrap.servers property)");
        assertThatThrownBy(() -> KafkaClientSettings.builder().bootstrapServers("a:1")
                .properties(Map.of("bootstrap.servers", "b:1")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("bootstrapServers conflicts with the bootstrap.servers property: set it once");
        assertThat(KafkaClientSettings.builder().properties(Map.of("bootstrap.servers", "b:1")).build()
                .bootstrapServers()).isEqualTo("b:1");
    }

    @Test
    void clientSettings_repeatedOrBadSetting_isRejectedNamingIt() {
        assertThatThrownBy(() -> KafkaClientSettings.builder().sasl("PLAIN", JAAS).sasl("PLAIN", JAAS))
                .isInstanceOf(IllegalStateException.class).hasMessage("sasl was already set to PLAIN");
        assertThatThrownBy(() -> KafkaClientSettings.builder().truststore("/a", "pw").truststore("/b", "pw"))
                .isInstanceOf(IllegalStateException.class).hasMessage("truststore was already set to /a");
        assertThatThrownBy(() -> KafkaClientSettings.builder().sasl("PLAIN", JAAS)
                .properties(Map.of("sasl.jaas.config", JAAS)).bootstrapServers("a:1").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sasl conflicts with the sasl.jaas.config property: set it once");
        assertThatThrownBy(() -> KafkaClientSettings.builder().securityProtocol("TLS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("securityProtocol must be one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL], but was TLS");
        assertThatThrownBy(() -> KafkaClientSettings.of(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("bootstrapServers must not be blank, but was ' '");
    }
}
