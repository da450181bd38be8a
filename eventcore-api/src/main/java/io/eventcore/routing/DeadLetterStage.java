package io.eventcore.routing;

import io.eventcore.InboundMessage;
import io.eventcore.internal.HandlerAttempt;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterException;
import io.eventcore.deadletter.DeadLetterSink;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands terminal failures to the dead-letter sink. Sits outside the retry stage, so only failures
 * the retry policy has given up on (and unroutable or undecodable messages) ever reach it. A sink
 * failure yields {@code FAILED}, with the letter kept for {@link EventRouter#retryDeadLetter}.
 */
final class DeadLetterStage implements Stage {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterStage.class);

    private final EventMetrics metrics;
    private final DeadLetterSink defaultSink;
    /** The routed types: only these become {@code type} tags, so unroutable input cannot grow the meters. */
    private final java.util.Set<String> routedTypes;
    private final StackLimiter sinkStacks = new StackLimiter();
    private final StackLimiter noSinkStacks = new StackLimiter();

    DeadLetterStage(EventMetrics metrics, DeadLetterSink defaultSink, java.util.Set<String> routedTypes) {
        this.metrics = metrics;
        this.routedTypes = routedTypes;
        this.defaultSink = defaultSink;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        CompletableFuture<StageResult> result = Stage.own(next.proceed(exchange));
        if (Stage.settled(result)) {
            StageResult r = result.join();
            return r.failed() ? StageResult.done(deadLetter(exchange, r)).stage() : result;
        }
        return result.thenApply(r -> r.failed() ? StageResult.done(deadLetter(exchange, r)) : r);
    }

    private DispatchResult deadLetter(Exchange x, StageResult gaveUp) {
        Route<?> route = x.route();
        DeadLetterSink sink = route != null ? route.deadLetter : defaultSink;
        Throwable failure = gaveUp.failure();
        if (interrupted(failure)) {
            // A handler interrupted by a shutting-down transport is not a poison message.
            log.warn("{} ({}) from {} was interrupted; not dead-lettered and not acknowledged", x.eventId(),
                    x.type(), x.message());
            return DispatchResult.failed(gaveUp.attempts(), failure);
        }
        if (sink == null) {
            int earlier = noSinkStacks.permit();
            if (earlier >= 0) {
                log.error("no dead-letter sink configured: {} ({}) from {} is not acknowledged and will be "
                        + "redelivered ({} more such failures in the last minute)", x.eventId(), x.type(),
                        x.message(), earlier, failure);
            } else {
                log.error("no dead-letter sink configured: {} ({}) from {} is not acknowledged: {}", x.eventId(),
                        x.type(), x.message(), failure.toString());
            }
            return DispatchResult.failed(gaveUp.attempts(), failure);
        }
        DeadLetter letter = DeadLetter.builder().source(x.message()).failure(failure).eventId(x.eventId())
                .eventType(x.type()).handlerName(route != null ? route.name : null).attempts(gaveUp.attempts())
                .firstFailureAt(gaveUp.firstFailureAt()).lastFailureAt(gaveUp.lastFailureAt()).build();
        // One WARN line; the stack trace travels in the dead letter's headers, and at DEBUG.
        log.warn("dead-lettering event {} ({}) from {} after {} attempt(s): {}", x.eventId(), x.type(), x.message(),
                gaveUp.attempts(), failure.toString());
        log.debug("dead-lettered event {}: the failure", x.eventId(), failure);
        return write(sink, letter, failure, x.message());
    }

    DispatchResult write(DeadLetterSink sink, DeadLetter letter, Throwable failure) {
        return write(sink, letter, failure, null);
    }

    /** As above, with {@code source} as the thread's {@link HandlerAttempt} while the sink writes (when known). */
    DispatchResult write(DeadLetterSink sink, DeadLetter letter, Throwable failure, InboundMessage source) {
        HandlerAttempt outer = source == null ? null : HandlerAttempt.current();
        HandlerAttempt writing = source == null ? null : HandlerAttempt.enter(source);
        try {
            sink.accept(letter);
        } catch (Error e) {
            if (writing != null) {
                writing.fail();
            }
            log.error("dead-letter sink threw a fatal error for event {} ({}); not acknowledging it",
                    letter.eventId(), letter.eventType(), e);
            return DispatchResult.fatal(letter.attempts(), e);
        } catch (Exception e) {
            if (writing != null) {
                writing.fail(); // what the sink sent before it failed is not the letter: the write is retried
            }
            int earlier = sinkStacks.permit();
            if (earlier >= 0) {
                log.error("dead-letter sink failed for event {} ({}) from {}-{}@{}; the message stays unacknowledged"
                        + " ({} more sink failures in the last minute)", letter.eventId(), letter.eventType(),
                        letter.topic(), letter.partition(), letter.offset(), earlier, e);
            } else {
                log.error("dead-letter sink failed for event {} ({}) from {}-{}@{}; the message stays "
                        + "unacknowledged: {}", letter.eventId(), letter.eventType(), letter.topic(),
                        letter.partition(), letter.offset(), e.toString());
            }
            return DispatchResult.deadLetterFailed(letter, sink, new DeadLetterException(
                    "dead-letter sink failed: " + e.getMessage(), e, letter.eventId(), letter.eventType()));
        } finally {
            if (source != null) {
                HandlerAttempt.restore(outer);
            }
        }
        // An immutable set's contains(null) throws: a message without a type is unknown too.
        String type = letter.eventType();
        metrics.deadLettered(type != null && routedTypes.contains(type) ? type : ObservationStage.UNKNOWN_TYPE,
                simpleName(letter.exceptionClass()));
        return DispatchResult.deadLettered(letter, failure);
    }

    /** Whether the failure is an interruption (in its cause chain, or of this thread). */
    static boolean interrupted(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException
                    || t instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
