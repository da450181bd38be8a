package io.eventcore.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.MessageHeader;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link DeadLetterSink} implementation passes: what {@code accept} returned
 * from is stored with the original bytes, key and headers and every diagnostic field, dead-letter
 * headers of an earlier failure do not pile up, and concurrent writers lose nothing.
 *
 * <p>Extend it once per implementation (the in-memory sink in this kit, the Kafka sink with a real
 * broker) and implement {@link #newSink()} and {@link #stored(int)}:
 *
 * <pre>{@code
 * class MySinkContractTest extends DeadLetterSinkContract {
 *     protected DeadLetterSink newSink() { return new MySink(freshTable()); }
 *     protected List<DeadLetter> stored(int atLeast) { return readBack(atLeast); }
 * }
 * }</pre>
 */
public abstract class DeadLetterSinkContract {

    /**
     * Creates the sink under test, writing to a place no other test writes to. Called once per
     * test; the suite calls it before {@link #stored(int)}.
     *
     * @return a fresh sink
     * @throws Exception if it cannot be created
     */
    protected abstract DeadLetterSink newSink() throws Exception;

    /**
     * Reads back what the sink of this test stored, in write order, waiting (bounded by
     * {@link #timeout()}) until at least {@code atLeast} letters are there. Fields a sink stores
     * as text are parsed back, so the contract compares values, not representations.
     *
     * @param atLeast how many letters to wait for
     * @return the stored letters
     * @throws Exception if they cannot be read
     */
    protected abstract List<DeadLetter> stored(int atLeast) throws Exception;

    /**
     * @return the bound of every wait in the suite; defaults to 30 seconds
     */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** Builds a letter the way the router does, from a message and its final failure. */
    static DeadLetter letter(InboundMessage source, int attempts) {
        Instant first = Instant.parse("2026-03-01T10:00:00Z");
        return DeadLetter.builder().source(source).failure(new IllegalStateException("boom " + attempts,
                new java.io.IOException("disk full"))).eventId(source.header(EventHeaders.EVENT_ID))
                .eventType(source.header(EventHeaders.EVENT_TYPE)).handlerName("Billing#OrderCreated")
                .attempts(attempts).firstFailureAt(first).lastFailureAt(first.plusSeconds(attempts)).build();
    }

    static InboundMessage message(String id, byte[] value) {
        return InboundMessage.builder("orders").key("order-" + id).value(value).partition(2).offset(41)
                .timestamp(Instant.parse("2026-03-01T09:59:00.123Z")).consumerGroup("billing")
                .header(EventHeaders.EVENT_ID, id).header(EventHeaders.EVENT_TYPE, "OrderCreated")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build();
    }

    /**
     * The original key, value and headers are stored byte for byte, including bytes that are not UTF-8.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void accept_storesOriginalBytesKeyAndHeaders() throws Exception {
        DeadLetterSink sink = newSink();
        byte[] value = {0x7b, (byte) 0xff, 0x00, (byte) 0xc3, 0x28, 0x7d};
        DeadLetter written = letter(message("id-1", value), 3);
        sink.accept(written);

        DeadLetter read = stored(1).get(0);
        assertArrayEquals(value, read.value(), "value");
        assertArrayEquals("order-id-1".getBytes(StandardCharsets.UTF_8), read.key(), "key");
        for (MessageHeader h : written.headers()) {
            assertTrue(read.headers().stream().anyMatch(r -> r.key().equals(h.key())
                    && java.util.Arrays.equals(r.value(), h.value())), "header " + h.key() + " kept");
        }
    }

    /**
     * Source position, consumer group, handler, failure classes, message, attempts and failure times survive.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void accept_storesEveryDiagnosticField() throws Exception {
        DeadLetterSink sink = newSink();
        DeadLetter written = letter(message("id-2", "{}".getBytes(StandardCharsets.UTF_8)), 5);
        sink.accept(written);

        DeadLetter read = stored(1).get(0);
        assertEquals("orders", read.topic());
        assertEquals(2, read.partition());
        assertEquals(41, read.offset());
        assertEquals(written.timestamp().truncatedTo(ChronoUnit.MILLIS), read.timestamp().truncatedTo(ChronoUnit.MILLIS));
        assertEquals("billing", read.consumerGroup());
        assertEquals("Billing#OrderCreated", read.handlerName());
        assertEquals(IllegalStateException.class.getName(), read.exceptionClass());
        assertEquals(java.io.IOException.class.getName(), read.rootCauseClass());
        assertEquals("boom 5", read.message());
        assertEquals(5, read.attempts());
        assertEquals(written.firstFailureAt(), read.firstFailureAt());
        assertEquals(written.lastFailureAt(), read.lastFailureAt());
        assertEquals("id-2", read.eventId());
        assertEquals("OrderCreated", read.eventType());
        assertTrue(read.stackTrace() != null && read.stackTrace().contains("disk full"), "stack trace with root cause");
        assertTrue(read.stackTrace().getBytes(StandardCharsets.UTF_8).length <= DeadLetter.MAX_STACK_TRACE_BYTES,
                "stack trace capped");
    }

    /**
     * A message with neither key nor value (a tombstone) is stored too.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void accept_storesAMessageWithoutKeyOrValue() throws Exception {
        DeadLetterSink sink = newSink();
        InboundMessage tombstone = InboundMessage.builder("orders").partition(0).offset(7)
                .header(EventHeaders.EVENT_ID, "id-3").build();
        sink.accept(letter(tombstone, 1));

        DeadLetter read = stored(1).get(0);
        assertNull(read.key(), "key");
        assertNull(read.value(), "value");
        assertEquals(7, read.offset());
    }

    /**
     * A message dead-lettered a second time (after a redrive) carries one set of dead-letter headers.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void deadLetteredAgain_replacesEarlierDeadLetterHeaders() throws Exception {
        DeadLetterSink sink = newSink();
        InboundMessage redriven = message("id-4", "{}".getBytes(StandardCharsets.UTF_8)).toBuilder()
                .header(EventHeaders.DEAD_LETTER_PREFIX + "exception", "old.Exception")
                .header(EventHeaders.DEAD_LETTER_PREFIX + "attempts", "9").build();
        sink.accept(letter(redriven, 2));

        DeadLetter read = stored(1).get(0);
        assertEquals(IllegalStateException.class.getName(), read.exceptionClass());
        assertEquals(2, read.attempts());
        Set<String> names = new HashSet<>();
        for (MessageHeader h : read.headers()) {
            assertTrue(names.add(h.key()) || !h.key().startsWith(EventHeaders.DEAD_LETTER_PREFIX),
                    "dead-letter header " + h.key() + " appears once");
        }
    }

    /**
     * Eight threads writing at once: every letter accepted is stored.
     * @throws Exception if the implementation under test fails unexpectedly
     */
    @Test
    public final void concurrentWriters_loseNothing() throws Exception {
        DeadLetterSink sink = newSink();
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        sink.accept(letter(message("c-" + thread + "-" + i, new byte[] {(byte) i}), 1));
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get(timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> ids = new HashSet<>();
        for (DeadLetter d : stored(8 * perThread)) {
            ids.add(d.eventId());
        }
        assertEquals(8 * perThread, ids.size(), "distinct letters stored");
    }
}
