package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Conversions between Kafka records and eventcore's transport messages, headers byte for byte. */
final class KafkaRecords {
    private KafkaRecords() {
    }

    /**
     * @return the inbound form of a consumed record, with its source position and the consumer
     *     group. A retry copy (it carries {@link EventHeaders#ORIGINAL_TOPIC} and friends) is given
     *     the position of its original, so that its event id, its dead letter and its next retry
     *     copy refer to the original topic.
     */
    static InboundMessage toMessage(ConsumerRecord<byte[], byte[]> record, String group) {
        String topic = record.topic();
        int partition = record.partition();
        long offset = record.offset();
        String originalTopic = header(record, EventHeaders.ORIGINAL_TOPIC);
        if (originalTopic != null && !originalTopic.isBlank()) {
            try {
                int p = Integer.parseInt(header(record, EventHeaders.ORIGINAL_PARTITION));
                long o = Long.parseLong(header(record, EventHeaders.ORIGINAL_OFFSET));
                if (p >= 0 && o >= 0) {
                    topic = originalTopic;
                    partition = p;
                    offset = o;
                }
            } catch (NumberFormatException unreadable) {
                // A damaged copy keeps its own position; its id header still keeps the event id.
            }
        }
        // The record's arrays are the consumer's alone and never written again: taken over, not copied.
        Header[] raw = record.headers().toArray();
        List<MessageHeader> headers = new ArrayList<>(raw.length);
        for (Header h : raw) {
            headers.add(MessageHeader.wrap(h.key(), h.value()));
        }
        return InboundMessage.wrap(topic, partition, offset, Instant.ofEpochMilli(record.timestamp()), group,
                record.key(), record.value(), headers);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** @return the producer record of an outbound message (partition chosen by the producer) */
    static ProducerRecord<byte[], byte[]> toRecord(OutboundMessage message) {
        return new ProducerRecord<>(message.topic(), null, message.keyBytes(), message.value(),
                headers(message.headers()));
    }

    /** @return Kafka headers with the same keys and values, in the same order */
    static List<Header> headers(List<MessageHeader> headers) {
        List<Header> out = new ArrayList<>(headers.size());
        for (MessageHeader h : headers) {
            out.add(new RecordHeader(h.key(), h.value()));
        }
        return out;
    }
}
