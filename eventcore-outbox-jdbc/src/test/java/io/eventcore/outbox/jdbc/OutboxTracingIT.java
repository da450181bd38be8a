package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.eventcore.observation.EventInstrumentation;
import io.eventcore.outbox.Outbox;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import io.micrometer.observation.Observation;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One trace across the outbox on real infrastructure: service A appends in a JDBC transaction (H2), the relay
 * sends through Kafka, a Kafka consumer processes.
 */
class OutboxTracingIT {
    record OrderPlaced(String orderId) {
    }

    private final Tracing tracing = new Tracing();

    @AfterEach
    void close() {
        tracing.close();
    }

    @Test
    void appendInATransaction_relayThroughKafka_andConsume_formOneTrace() throws Exception {
        String topic = "tracing-" + UUID.randomUUID();
        EmbeddedKafka.createTopics(1, topic);
        DataSource db = TestDatabase.h2("tracing_it").dataSource();
        EventInstrumentation instrumentation = MicrometerInstrumentation.of(tracing.registry);
        String bootstrap = EmbeddedKafka.bootstrapServers();
        try (JdbcOutbox jdbc = JdbcOutbox.builder(db).table("ec_tracing_outbox").build()) {
            jdbc.createSchema();
            Outbox<Connection> outbox = Outbox.observed(jdbc, instrumentation);
            Observation.createNotStarted("place-order", tracing.registry).observeChecked(() -> {
                try (Connection c = db.getConnection()) {
                    c.setAutoCommit(false);
                    outbox.append(c, OutboxEvent.of("Order", "o-1", new OrderPlaced("o-1")));
                    c.commit();
                }
            });

            try (KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(topic)
                    .build();
                    OutboxPublisher relay = OutboxPublisher.builder().store(jdbc.store()).publisher(kafka)
                            .topicNaming(TopicNaming.fixed(topic)).instrumentation(instrumentation).build()) {
                assertThat(relay.publishPending()).isEqualTo(1);
            }
            try (EventRouter router = EventRouter.builder().instrumentation(instrumentation)
                    .route(OrderPlaced.class, (event, ctx) -> { }).build();
                    KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                            .groupId("billing").topics(topic).router(router).build()) {
                consumer.start();
                Awaitility.await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                        .until(() -> tracing.spans().stream().anyMatch(s -> s.getName().equals("process " + topic)));
            }
        }

        SpanData a = tracing.span("place-order");
        SpanData create = tracing.span("create Order");
        SpanData send = tracing.span("send " + topic);
        SpanData process = tracing.span("process " + topic);
        assertThat(List.of(create, send, process)).as(tracing.describe())
                .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(a.getTraceId()));
        assertThat(create.getParentSpanId()).isEqualTo(a.getSpanId());
        assertThat(send.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(process.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(process.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                "messaging.consumer.group.name"))).isEqualTo("billing");
        System.out.println("trace across the JDBC outbox and Kafka:" + tracing.describe());
    }
}
