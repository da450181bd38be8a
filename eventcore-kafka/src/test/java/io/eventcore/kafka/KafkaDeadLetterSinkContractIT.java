package io.eventcore.kafka;

import static org.awaitility.Awaitility.await;

import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterBuilder;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.test.DeadLetterSinkContract;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.KafkaTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;

/** The dead-letter sink contract against a real broker: what the sink wrote is read back from the DLQ topic. */
class KafkaDeadLetterSinkContractIT extends DeadLetterSinkContract {
    private KafkaDeadLetterSink sink;
    private String dlqTopic;

    @AfterEach
    void closeSink() {
        if (sink != null) {
            sink.close();
        }
    }

    @Override
    protected DeadLetterSink newSink() {
        dlqTopic = "sink-contract-" + UUID.randomUUID() + ".dlq";
        KafkaTopics.create(EmbeddedKafka.bootstrapServers(), 1, dlqTopic);
        String target = dlqTopic;
        sink = KafkaDeadLetterSink.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topicNaming(source -> target).build();
        return sink;
    }

    @Override
    protected List<DeadLetter> stored(int atLeast) {
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition p = new TopicPartition(dlqTopic, 0);
            c.assign(List.of(p));
            c.seekToBeginning(List.of(p));
            await().atMost(timeout()).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(parse(r)));
                return out.size() >= atLeast;
            });
        }
        return out;
    }

    /** Rebuilds a dead letter from a DLQ record, as a DLQ reader (redrive, an operator tool) sees it. */
    private static DeadLetter parse(ConsumerRecord<byte[], byte[]> r) {
        List<MessageHeader> original = new ArrayList<>();
        for (Header h : r.headers()) {
            if (!h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX)) {
                original.add(MessageHeader.of(h.key(), h.value()));
            }
        }
        DeadLetterBuilder b = DeadLetter.builder().key(r.key()).value(r.value()).headers(original)
                .topic(text(r, KafkaDeadLetterSink.TOPIC))
                .partition(Integer.parseInt(text(r, KafkaDeadLetterSink.PARTITION)))
                .offset(Long.parseLong(text(r, KafkaDeadLetterSink.OFFSET)))
                .consumerGroup(text(r, KafkaDeadLetterSink.GROUP))
                .handlerName(text(r, KafkaDeadLetterSink.HANDLER))
                .exceptionClass(text(r, KafkaDeadLetterSink.EXCEPTION))
                .rootCauseClass(text(r, KafkaDeadLetterSink.ROOT_CAUSE))
                .message(text(r, KafkaDeadLetterSink.MESSAGE))
                .stackTrace(text(r, KafkaDeadLetterSink.STACKTRACE))
                .attempts(Integer.parseInt(text(r, KafkaDeadLetterSink.ATTEMPTS)))
                .firstFailureAt(Instant.parse(text(r, KafkaDeadLetterSink.FIRST_FAILURE)))
                .lastFailureAt(Instant.parse(text(r, KafkaDeadLetterSink.LAST_FAILURE)))
                .eventId(text(r, EventHeaders.EVENT_ID))
                .eventType(text(r, EventHeaders.EVENT_TYPE));
        String timestamp = text(r, KafkaDeadLetterSink.TIMESTAMP);
        if (timestamp != null) {
            b.timestamp(Instant.parse(timestamp));
        }
        return b.build();
    }

    private static String text(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
