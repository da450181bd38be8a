package io.eventcore.routing;

import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterException;
import io.eventcore.deadletter.DeadLetterSink;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands terminal failures to the dead-letter sink. Sits outside the retry stage, so only failures
 * the retry policy has given up on ever reach it. A sink failure yields {@code FAILED}.
 */
final class DeadLetterStage {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterStage.class);

    private final EventMetrics metrics;

    DeadLetterStage(EventMetrics metrics) {
        this.metrics = metrics;
    }

    DispatchResult deadLetter(DeadLetterSink sink, InboundMessage message, Throwable failure, String eventId,
            String eventType, String handlerName, int attempts, Instant firstFailure, Instant lastFailure) {
        if (sink == null) {
            log.error("no dead-letter sink configured: {} ({}) from {} is not acknowledged and will be redelivered",
                    eventId, eventType, message, failure);
            return DispatchResult.failed(attempts, failure);
        }
        DeadLetter letter = DeadLetter.builder().source(message).failure(failure).eventId(eventId)
                .eventType(eventType).handlerName(handlerName).attempts(attempts).firstFailureAt(firstFailure)
                .lastFailureAt(lastFailure).build();
        log.error("dead-lettering event {} ({}) from {} after {} attempt(s)", eventId, eventType, message, attempts,
                failure);
        return write(sink, letter, failure);
    }

    DispatchResult write(DeadLetterSink sink, DeadLetter letter, Throwable failure) {
        try {
            sink.accept(letter);
        } catch (Exception e) {
            log.error("dead-letter sink failed for event {} ({}) from {}-{}@{}; the message stays unacknowledged",
                    letter.eventId(), letter.eventType(), letter.topic(), letter.partition(), letter.offset(), e);
            return DispatchResult.deadLetterFailed(letter, sink, new DeadLetterException(
                    "dead-letter sink failed: " + e.getMessage(), e, letter.eventId(), letter.eventType()));
        }
        metrics.deadLettered(letter.eventType() == null ? ObservationStage.UNKNOWN_TYPE : letter.eventType(),
                simpleName(letter.exceptionClass()));
        return DispatchResult.deadLettered(letter, failure);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
