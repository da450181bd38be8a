package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.eventcore.transport.OutboundMessage;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** How the publisher fails: a topic missing from the metadata, and which failures are transient. */
class PublisherFailuresTest {

    /** A producer that, like kafka-clients, fails a send to a topic without metadata before send returns. */
    static final class MetadataProducer extends MockProducer<byte[], byte[]> {
        final AtomicBoolean exists = new AtomicBoolean();
        final AtomicInteger blockingSends = new AtomicInteger();

        MetadataProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (record.topic().equals("absent") && !exists.get()) {
                blockingSends.incrementAndGet();
                TimeoutException e = new TimeoutException("Topic absent not present in metadata after 3000 ms.");
                callback.onCompletion(null, e);
                return java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            return super.send(record, callback);
        }

        @Override
        public synchronized List<PartitionInfo> partitionsFor(String topic) {
            if (!exists.get()) {
                throw new TimeoutException("Topic " + topic + " not present in metadata after 3000 ms.");
            }
            Node node = new Node(1, "127.0.0.1", 9092);
            return List.of(new PartitionInfo(topic, 0, node, new Node[] {node}, new Node[] {node}));
        }
    }

    private static OutboundMessage message(String topic) {
        return new OutboundMessage(topic, "k", new byte[] {1}, List.of());
    }

    private static Throwable failure(KafkaEventPublisher publisher, String topic) {
        return catchThrowable(() -> publisher.send(message(topic)).toCompletableFuture().join());
    }

    @Test
    void aTopicMissingFromTheMetadata_blocksOneSend_thenSendsFailAtOnce_untilItAppears() {
        MetadataProducer producer = new MetadataProducer();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(producer).topic("absent").build()) {
            assertThat(failure(publisher, "absent")).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);
            for (int i = 0; i < 50; i++) {
                Throwable fast = failure(publisher, "absent");
                assertThat(fast).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
                assertThat(fast.getCause()).hasMessageContaining("'absent'").hasMessageContaining("auto-creation");
                assertThat(publisher.isTransient(fast.getCause())).as("the rows wait for the topic").isTrue();
            }
            assertThat(producer.blockingSends).as("only the first send waited for metadata").hasValue(1);
            assertThat(failure(publisher, "present")).as("other topics are untouched").isNull();

            producer.exists.set(true);
            Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> failure(publisher, "absent") == null);
            assertThat(producer.history()).extracting(ProducerRecord::topic).contains("absent", "present");
        }
    }

    @Test
    void transientFailures_areOutagesAndRetriables_notTopicRefusalsOrBadRecords() {
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().producer(new MetadataProducer())
                .topic("t").build()) {
            assertThat(publisher.isTransient(new TimeoutException("t"))).isTrue();
            assertThat(publisher.isTransient(new UnknownTopicOrPartitionException("t"))).isTrue();
            assertThat(publisher.isTransient(new ClusterAuthorizationException("idempotent write"))).isTrue();
            assertThat(publisher.isTransient(new IllegalStateException("not Kafka's"))).isTrue();
            assertThat(publisher.isTransient(new TopicAuthorizationException(java.util.Set.of("t"))))
                    .as("one topic refusing this client must not block its keys for ever").isFalse();
            assertThat(publisher.isTransient(new KafkaException("wrapped", new TopicAuthorizationException("t"))))
                    .isFalse();
            assertThat(publisher.isTransient(new RecordTooLargeException("big"))).isFalse();
        }
    }
}
