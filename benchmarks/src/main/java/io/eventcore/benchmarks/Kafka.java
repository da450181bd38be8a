package io.eventcore.benchmarks;

import io.eventcore.codec.EventCodec;
import io.eventcore.test.KafkaTopics;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka plumbing shared by the workloads. */
final class Kafka {
    private Kafka() {
    }

    static void createTopic(String bootstrap, String name, int partitions) {
        KafkaTopics.create(bootstrap, partitions, name);
    }

    static KafkaProducer<byte[], byte[]> fastProducer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("linger.ms", "20");
        p.put("batch.size", String.valueOf(512 * 1024));
        p.put("compression.type", "none");
        // Prefill only. An idempotent producer on a just-created topic of a loaded broker was seen here to
        // reset its sequence numbers and spin on OutOfOrderSequenceException until its batches expired.
        p.put("enable.idempotence", "false");
        p.put("acks", "1");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Writes {@code count} 1.2 KB OrderPlaced events over {@code keys} keys, each record as the publisher writes
     * it plus a traceparent ({@link PublishedRecords}).
     */
    static void prefill(String bootstrap, String topic, int count, int keys) {
        prefill(bootstrap, topic, count, keys, PayloadFormat.JSON);
    }

    /** Writes {@code count} OrderPlaced records in the given format, as the publisher writes them. */
    static void prefill(String bootstrap, String topic, int count, int keys, PayloadFormat format) {
        EventCodec codec = format.codec();
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = fastProducer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                String key = "key-" + (i % keys);
                ProducerRecord<byte[], byte[]> r = PublishedRecords.record(topic, key, i, format.payload(key, i), codec,
                        Map.of());
                producer.send(r, (meta, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("prefill of " + topic + " failed", failure.get());
        }
        long written = KafkaTopics.endOffsets(bootstrap, topic);
        if (written < count) {
            throw new IllegalStateException("prefill of " + topic + " wrote " + written + " of " + count + " records");
        }
    }

    /** Waits for {@code done} to reach {@code target}, failing loudly after {@code limit}. */
    static void await(java.util.function.LongSupplier done, long target, java.time.Duration limit, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (done.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": only " + done.getAsLong() + " of " + target + " after " + limit);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }
}
