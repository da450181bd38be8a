package io.eventcore.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.eventcore.EventHeaders;
import io.eventcore.codec.EventCodec;
import io.eventcore.protobuf.ProtobufEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A payload format of the overhead workload: how the publisher encodes the OrderPlaced event, which class
 * eventcore routes it to, and what a user's own loop does instead to decode it.
 */
enum PayloadFormat {
    /** eventcore's JSON codec; the user's loop decodes with a default ObjectMapper ({@link PublishedRecords.UserDecoder}). */
    JSON(EventCodec.json(), Payloads.OrderPlaced.class) {
        @Override
        Object payload(String key, int seq) {
            return Payloads.order(key, seq);
        }

        @Override
        Function<ConsumerRecord<byte[], byte[]>, Object> userDecoder() {
            return new PublishedRecords.UserDecoder()::decode;
        }
    },
    /** {@code ProtobufEventCodec}, one message class per type; the user's loop calls the generated {@code parseFrom}. */
    PROTOBUF(ProtobufEventCodec.builder().build(), io.eventcore.benchmarks.proto.OrderPlaced.class) {
        @Override
        Object payload(String key, int seq) {
            return ProtoPayloads.of(Payloads.order(key, seq));
        }

        @Override
        Function<ConsumerRecord<byte[], byte[]>, Object> userDecoder() {
            return r -> {
                String type = type(r);
                if (!type.equals("OrderPlaced")) {
                    throw new IllegalStateException("unknown event type '" + type + "'");
                }
                try {
                    return io.eventcore.benchmarks.proto.OrderPlaced.parseFrom(r.value());
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
    };

    private final EventCodec codec;
    private final Class<?> payloadClass;

    PayloadFormat(EventCodec codec, Class<?> payloadClass) {
        this.codec = codec;
        this.payloadClass = payloadClass;
    }

    EventCodec codec() {
        return codec;
    }

    Class<?> payloadClass() {
        return payloadClass;
    }

    /** @return the OrderPlaced event of this key and sequence number in this format's class */
    abstract Object payload(String key, int seq);

    /** @return a decoder as a user's hand-written loop would have it (one per loop) */
    abstract Function<ConsumerRecord<byte[], byte[]>, Object> userDecoder();

    /** @return the suffix of figure names: empty for JSON, the historic default */
    String label() {
        return this == JSON ? "" : " [" + name().toLowerCase(java.util.Locale.ROOT) + "]";
    }

    static String type(ConsumerRecord<byte[], byte[]> r) {
        Header type = r.headers().lastHeader(EventHeaders.EVENT_TYPE);
        return type == null ? "" : new String(type.value(), StandardCharsets.UTF_8);
    }
}
