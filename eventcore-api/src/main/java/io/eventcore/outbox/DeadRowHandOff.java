package io.eventcore.outbox;

import io.eventcore.Clock;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands rows moved to the dead table to the dead-letter sink, if one is configured. The dead table
 * already holds them, so a sink failure (an {@link Error} included) is logged and loses nothing. Thread-safe if the sink is.
 */
final class DeadRowHandOff {
    private static final Logger log = LoggerFactory.getLogger(DeadRowHandOff.class);
    static final String HANDLER_NAME = "outbox-relay";

    private final DeadLetterSink sink;
    private final Clock clock;

    /**
     * @param sink {@code null} for none: dead rows are only logged
     */
    DeadRowHandOff(DeadLetterSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    void handOver(OutboxBatch.DeadRow dead) {
        OutboxRecord row = dead.row();
        log.error("outbox row {} moved to the dead table after {} attempts: {}", row, row.attempts(),
                row.lastError());
        if (sink == null) {
            return;
        }
        try {
            sink.accept(letter(dead));
        } catch (Exception | Error e) {
            // An Error too: a failure of this write, not of the relay.
            log.warn("dead-letter sink refused outbox row {}; it stays in the dead table", row, e);
        }
    }

    private DeadLetter letter(OutboxBatch.DeadRow dead) {
        OutboxRecord row = dead.row();
        Instant now = clock.now();
        return DeadLetter.builder()
                .key(row.aggregateId() == null ? null : row.aggregateId().getBytes(StandardCharsets.UTF_8))
                .value(row.payload()).headers(dead.headers()).topic(dead.topic()).offset(row.id())
                .timestamp(row.createdAt()).eventId(row.eventId()).eventType(row.eventType())
                .handlerName(HANDLER_NAME).failure(dead.cause())
                .attempts(row.attempts()).firstFailureAt(now).lastFailureAt(now).build();
    }
}
