package io.eventcore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventcore.routing.EventRouter;
import io.eventcore.codec.JsonEventCodec;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventConsumerBuilder;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.InMemoryOutboxStore;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wrong settings across every module's builders, each rejected at once (or at {@code build()}) with a
 * message naming the setting and the rejected value. Nothing here connects to a broker or a database
 * except H2, which {@link JdbcOutbox} needs to detect the dialect.
 */
class MisconfigurationTest {
    private static final DataSource H2 = TestDatabase.h2("misconfiguration").dataSource();

    /** One wrong setting: what is done, the exception type, and the words the message must contain. */
    record Case(String name, ThrowingCallable attempt, Class<? extends Throwable> type, List<String> mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case arg(String name, ThrowingCallable attempt, String... mentions) {
        return new Case(name, attempt, IllegalArgumentException.class, List.of(mentions));
    }

    private static Case state(String name, ThrowingCallable attempt, String... mentions) {
        return new Case(name, attempt, IllegalStateException.class, List.of(mentions));
    }

    private static EventRouter router() {
        return EventRouter.builder().route("Anything", String.class, (e, c) -> { }).build();
    }

    private static KafkaEventConsumerBuilder consumer() {
        return KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:9").groupId("g").topics("t").router(router());
    }

    static Stream<Case> cases() {
        return Stream.of(
                // eventcore-api
                arg("retry: zero attempts", () -> RetryPolicy.defaults().maxAttempts(0), "maxAttempts", "0"),
                arg("retry: negative attempts", () -> RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(-3),
                        "maxAttempts", "-3"),
                arg("retry: jitter above 1", () -> RetryPolicy.defaults().jitter(1.5), "jitter", "1.5"),
                arg("retry: multiplier below 1", () -> RetryPolicy.defaults().multiplier(0.5), "multiplier", "0.5"),
                arg("retry: negative fixed delay", () -> RetryPolicy.fixed(Duration.ofMillis(-5)), "delay", "-"),
                arg("retry: max delay below initial", () -> RetryPolicy.exponential(Duration.ofSeconds(2),
                        Duration.ofSeconds(1)), "max", "PT1S"),
                arg("router: zero handler timeout", () -> EventRouter.builder().handlerTimeout(Duration.ZERO),
                        "handlerTimeout", "PT0S"),
                state("router: retry set twice", () -> EventRouter.builder().retry(RetryPolicy.none())
                        .retry(RetryPolicy.none()), "retry"),
                arg("codec: zero nesting depth", () -> JsonEventCodec.builder().maxNestingDepth(0),
                        "maxNestingDepth", "0"),
                arg("codec: negative string length", () -> JsonEventCodec.builder().maxStringLength(-1),
                        "maxStringLength", "-1"),
                // eventcore-kafka
                arg("consumer: zero concurrency", () -> consumer().maxConcurrency(0), "maxConcurrency", "0"),
                arg("consumer: negative in-flight", () -> consumer().maxInFlight(-1), "maxInFlight", "-1"),
                arg("consumer: empty topic name", () -> KafkaEventConsumer.builder().topics(""), "topic", "''"),
                arg("consumer: zero commit interval", () -> consumer().commitInterval(Duration.ZERO),
                        "commitInterval", "PT0S"),
                state("consumer: auto commit on", () -> consumer().properties(Map.of("enable.auto.commit", "true"))
                        .build(), "enable.auto.commit", "true"),
                state("consumer: no group", () -> KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:9")
                        .topics("t").router(router()).build(), "groupId"),
                state("consumer: topics and pattern both", () -> consumer().topicPattern(Pattern.compile("t.*")).build(),
                        "topics", "topicPattern"),
                state("router: no routes", () -> EventRouter.builder().build(), "routes"),
                arg("publisher: empty topic", () -> KafkaEventPublisher.builder().topic(""), "topic", "''"),
                arg("publisher: negative close timeout", () -> KafkaEventPublisher.builder()
                        .closeTimeout(Duration.ofSeconds(-1)), "closeTimeout", "PT-1S"),
                state("publisher: no bootstrap servers", () -> KafkaEventPublisher.builder().topic("t").build(),
                        "bootstrapServers"),
                state("publisher: no topic", () -> KafkaEventPublisher.builder().bootstrapServers("127.0.0.1:9").build(),
                        "topic"),
                state("publisher: topic and topics both", () -> KafkaEventPublisher.builder().topic("t")
                        .topics(TopicNaming.perType("")), "topic", "topics"),
                state("consumer: group set twice", () -> consumer().groupId("h"), "groupId", "g"),
                arg("DLQ sink: zero send timeout", () -> KafkaDeadLetterSink.builder().sendTimeout(Duration.ZERO),
                        "sendTimeout", "PT0S"),
                // eventcore-outbox-jdbc
                arg("outbox: SQL injection as table name", () -> JdbcOutbox.builder(H2).table("outbox; DROP TABLE x"),
                        "table", "outbox; DROP TABLE x"),
                arg("outbox: quoted table name", () -> JdbcOutbox.builder(H2).table("\"outbox\""), "table",
                        "\"outbox\""),
                arg("outbox: zero shards", () -> JdbcOutbox.builder(H2).shards(0), "shards", "0"),
                arg("outbox: too many shards", () -> JdbcOutbox.builder(H2).shards(5000), "shards", "5000"),
                state("outbox: strict order on H2", () -> JdbcOutbox.builder(H2).strictOrder(true).build(),
                        "strictOrder", "H2"),
                arg("relay: zero batch", () -> OutboxPublisher.builder().batchSize(0), "batchSize", "0"),
                arg("relay: negative lease", () -> OutboxPublisher.builder().leaseTtl(Duration.ofSeconds(-1)),
                        "leaseTtl", "PT-1S"),
                arg("relay: blank relay id", () -> OutboxPublisher.builder().relayId(" "), "relayId", "' '"),
                state("relay: poll intervals reversed", () -> OutboxPublisher.builder()
                        .store(InMemoryOutboxStore.create()).publisher(new InMemoryBroker().publisher())
                        .minPollInterval(Duration.ofSeconds(5)).maxPollInterval(Duration.ofSeconds(1)).build(),
                        "minPollInterval", "PT5S"),
                state("relay: no publisher", () -> OutboxPublisher.builder().store(InMemoryOutboxStore.create()).build(),
                        "publisher"),
                // eventcore-test
                arg("in-memory broker: zero partitions", () -> new InMemoryBroker().createTopic("t", 0), "partitions",
                        "0"),
                arg("in-memory outbox: zero shards", () -> InMemoryOutboxStore.create(0, io.eventcore.codec.EventCodec.json(),
                        io.eventcore.Clock.system()), "shards", "0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wrongSetting_isRejected_namingSettingAndValue(Case c) {
        Throwable thrown = catchThrowable(c.attempt());
        assertThat(thrown).as(c.name()).isInstanceOf(c.type());
        for (String word : c.mentions()) {
            assertThat(thrown.getMessage()).as(c.name()).contains(word);
        }
    }
}
