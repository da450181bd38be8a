package io.eventcore.kafka;

import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.transport.OutboundMessage;
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

    /** @return the inbound form of a consumed record, with its source position and the consumer group */
    static InboundMessage toMessage(ConsumerRecord<byte[], byte[]> record, String group) {
        InboundMessage.Builder b = InboundMessage.builder(record.topic()).key(record.key()).value(record.value())
                .partition(record.partition()).offset(record.offset())
                .timestamp(Instant.ofEpochMilli(record.timestamp())).consumerGroup(group);
        for (Header h : record.headers()) {
            b.header(MessageHeader.of(h.key(), h.value()));
        }
        return b.build();
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
