package io.eventcore.outbox.jdbc;

import io.eventcore.test.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What reached a topic, read back with a plain consumer, with the checks the outbox ITs make:
 * values are {@code key:sequence}; every sequence of every key must be there, and the first delivery
 * of each key's rows must follow the sequence.
 */
final class Published {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    /**
     * Reads the topic from the start until {@code expectedDistinct} distinct values arrived or {@code timeout}
     * passed, then for a moment more, to count duplicates already on their way. Duplicates do not count
     * towards {@code expectedDistinct}: relays may legitimately send a row twice.
     */
    static Published read(String bootstrap, String topic, int expectedDistinct, Duration timeout) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "check-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        // What the relay promises is for committed-only readers: aborted transactions' records are not delivered.
        p.put("isolation.level", "read_committed");
        Published out = new Published();
        Set<String> distinct = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (distinct.size() < expectedDistinct && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.records.add(r);
                    distinct.add(text(r.value()));
                }
            }
            consumer.poll(Duration.ofMillis(500)).forEach(out.records::add);
        }
        return out;
    }

    static String bootstrap() {
        return EmbeddedKafka.bootstrapServers();
    }

    static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    Set<String> distinctValues() {
        Set<String> out = new HashSet<>();
        records.forEach(r -> out.add(text(r.value())));
        return out;
    }

    int duplicates() {
        return records.size() - distinctValues().size();
    }

    /** @return keys whose first deliveries are out of sequence order, or miss sequence numbers */
    List<String> orderViolations(int keys, int perKey, String keyPrefix) {
        Map<String, List<Integer>> firsts = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String v = text(r.value());
            if (seen.add(v)) {
                String[] parts = v.split(":");
                firsts.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
        }
        List<String> bad = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = keyPrefix + k;
            List<Integer> seq = firsts.getOrDefault(key, List.of());
            for (int i = 0; i < perKey; i++) {
                if (seq.size() <= i || seq.get(i) != i) {
                    bad.add(key + " " + (seq.size() > 20 ? seq.subList(0, 20) + "..." : seq));
                    break;
                }
            }
        }
        return bad;
    }
}
