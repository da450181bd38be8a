package io.eventcore.deadletter;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where messages go that could not be handled. The router calls {@link #accept(DeadLetter)} once
 * retries are exhausted or a failure is permanent, or for unroutable messages under
 * {@link io.eventcore.routing.UnknownTypePolicy#DEAD_LETTER}.
 *
 * <p>Returning normally means the dead letter is durably stored: the transport will then
 * acknowledge the original message. Throwing means it is not: the dispatch outcome becomes
 * {@link io.eventcore.routing.DispatchOutcome#FAILED}, the message is not acknowledged, and the write is retried.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface DeadLetterSink {

    /**
     * Stores a dead letter durably.
     *
     * @param deadLetter the dead letter
     * @throws Exception if it could not be stored
     */
    void accept(DeadLetter deadLetter) throws Exception;

    /**
     * A sink that only logs (at ERROR, without the payload). It stores nothing, so a dead-lettered
     * event survives only in the log: use it for development, or for events you can afford to lose.
     *
     * @return the logging sink
     */
    static DeadLetterSink logging() {
        Logger log = LoggerFactory.getLogger(DeadLetterSink.class);
        return deadLetter -> log.error("dead letter: {} (value {} bytes)", deadLetter,
                deadLetter.value() == null ? 0 : deadLetter.value().length);
    }
}
