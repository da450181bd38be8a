package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link EventCodec} passes: payloads survive a round trip, and any input that
 * is not a valid payload (null, empty, garbage, truncated) is a {@link DecodeException} that keeps
 * the bytes and names the event type, so the router dead-letters it and never retries it.
 *
 * <pre>{@code
 * class MyCodecContractTest extends EventCodecContract {
 *     protected EventCodec codec() { return new MyCodec(); }
 *     protected Class<?> payloadClass() { return OrderPlaced.class; }
 *     protected Object payload(int seed) { return new OrderPlaced("o-" + seed, seed); }
 * }
 * }</pre>
 */
public abstract class EventCodecContract {
    private static final String TYPE = "ContractEvent";

    /**
     * @return the codec under test (may be shared between tests: codecs are thread-safe)
     */
    protected abstract EventCodec codec();

    /**
     * @return the payload class the samples belong to
     */
    protected abstract Class<?> payloadClass();

    /**
     * A sample payload; different seeds give payloads that are not {@code equals}, the same seed
     * equal ones.
     *
     * @param seed 0 to 99
     * @return a payload of {@link #payloadClass()}
     */
    protected abstract Object payload(int seed);

    /**
     * Bytes that are no valid payload of {@link #payloadClass()} for this codec.
     *
     * @return invalid bytes; defaults to a few bytes that are neither JSON nor a valid binary frame
     */
    protected byte[] garbage() {
        return new byte[] {(byte) 0xff, 0x00, (byte) 0xfe, 0x13, 0x37, (byte) 0x80};
    }

    /** Encoding then decoding gives an equal payload, for many samples. */
    @Test
    public final void roundTrip_givesAnEqualPayload() {
        for (int seed = 0; seed < 100; seed++) {
            Object payload = payload(seed);
            Object decoded = codec().decode(codec().encode(payload), payloadClass(), TYPE);
            assertEquals(payload, decoded, "seed " + seed);
        }
    }

    /** Encoding is deterministic enough for equality: different payloads give different bytes. */
    @Test
    public final void differentPayloads_encodeDifferently() {
        assertTrue(!Arrays.equals(codec().encode(payload(1)), codec().encode(payload(2))));
    }

    /** A null value (a tombstone) is a decode failure, not a null payload. */
    @Test
    public final void nullBytes_areADecodeException() {
        DecodeException e = assertThrows(DecodeException.class, () -> codec().decode(null, payloadClass(), TYPE));
        assertEquals(TYPE, e.eventType());
    }

    /** An empty value is a decode failure. */
    @Test
    public final void emptyBytes_areADecodeException() {
        assertThrows(DecodeException.class, () -> codec().decode(new byte[0], payloadClass(), TYPE));
    }

    /** Garbage is a decode failure that keeps the original bytes and names the event type. */
    @Test
    public final void garbage_isADecodeException_keepingTheBytes() {
        byte[] bytes = garbage();
        DecodeException e = assertThrows(DecodeException.class, () -> codec().decode(bytes, payloadClass(), TYPE));
        assertArrayEquals(bytes, e.rawBytes());
        assertEquals(TYPE, e.eventType());
    }

    /** A valid encoding cut in half is a decode failure, never a partly filled payload. */
    @Test
    public final void truncatedEncoding_isADecodeException() {
        byte[] full = codec().encode(payload(7));
        byte[] half = Arrays.copyOf(full, full.length / 2);
        assertThrows(DecodeException.class, () -> codec().decode(half, payloadClass(), TYPE));
    }

    /** Encoding null is a programming error, rejected at once. */
    @Test
    public final void encodingNull_isRejected() {
        assertThrows(NullPointerException.class, () -> codec().encode(null));
    }

    /** The content type is either absent or a {@code type/subtype} media type. */
    @Test
    public final void contentType_isAbsentOrAMediaType() {
        String type = codec().contentType();
        assertTrue(type == null || type.matches("[\\w.+-]+/[\\w.+-]+(;.*)?"), "content type " + type);
    }

    /**
     * One codec instance used from eight threads at once gives the same results as from one.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void concurrentUse_isSafe() throws Exception {
        EventCodec codec = codec();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                tasks.add(pool.submit(() -> {
                    for (int seed = 0; seed < 100; seed++) {
                        Object decoded = codec.decode(codec.encode(payload(seed)), payloadClass(), TYPE);
                        assertNotNull(decoded);
                        assertEquals(payload(seed), decoded);
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
