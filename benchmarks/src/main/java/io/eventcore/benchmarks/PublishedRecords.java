package io.eventcore.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.MessageHeader;
import io.eventcore.codec.EventCodec;
import io.eventcore.transport.OutboundMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The inputs every harness workload uses and the decoding a user's own loop does. Records are exactly what
 * {@code KafkaEventPublisher} writes ({@code OutboundMessage.of(topic, event, codec)}: the key, the
 * {@code event_type}, {@code event_id}, {@code produced_at} and {@code content_type} headers) plus a W3C
 * {@code traceparent} header, as a traced service sends them.
 */
final class PublishedRecords {
    private PublishedRecords() {
    }

    /** @return a distinct, well-formed W3C traceparent for sequence number {@code seq} */
    static String traceparent(long seq) {
        return String.format("00-%016x%016x-%016x-01", 0x0af7651916cd43ddL, seq + 1, 0xb7ad6b7169203331L ^ seq);
    }

    /**
     * @param extraHeaders headers beyond the traceparent (a send timestamp for the latency workload), or empty
     * @return the record of one OrderPlaced event, as the publisher writes it
     */
    static ProducerRecord<byte[], byte[]> record(String topic, String key, int seq, EventCodec codec,
            Map<String, String> extraHeaders) {
        return record(topic, key, seq, Payloads.order(key, seq), codec, extraHeaders);
    }

    /**
     * @param payload the event's payload, e.g. the same order in another format's class
     * @param extraHeaders headers beyond the traceparent, or empty
     * @return the record of one event of that payload, as the publisher writes it with {@code codec}
     */
    static ProducerRecord<byte[], byte[]> record(String topic, String key, int seq, Object payload, EventCodec codec,
            Map<String, String> extraHeaders) {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put(EventHeaders.TRACEPARENT, traceparent(seq));
        Event<Object> event = Event.of(key, payload).withHeaders(headers);
        OutboundMessage message = OutboundMessage.of(topic, event, codec);
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, message.keyBytes(), message.value());
        for (MessageHeader h : message.headers()) {
            r.headers().add(h.key(), h.value());
        }
        return r;
    }

    /**
     * What a user writes instead of eventcore: a default {@link ObjectMapper}, a reader cached per record
     * class, a switch on the type header. Thread-safe.
     */
    static final class UserDecoder {
        private final ObjectReader orderPlaced = new ObjectMapper().readerFor(Payloads.OrderPlaced.class);

        Object decode(ConsumerRecord<byte[], byte[]> r) {
            Header type = r.headers().lastHeader(EventHeaders.EVENT_TYPE);
            String name = type == null ? "" : new String(type.value(), StandardCharsets.UTF_8);
            try {
                switch (name) {
                    case "OrderPlaced":
                        return orderPlaced.readValue(r.value());
                    default:
                        throw new IllegalStateException("unknown event type '" + name + "'");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
