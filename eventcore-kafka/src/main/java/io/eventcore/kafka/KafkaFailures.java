package io.eventcore.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** How eventcore's Kafka clients classify a send failure. Stateless. */
final class KafkaFailures {
    private KafkaFailures() {
    }

    /**
     * Transient: Kafka's {@link RetriableException}s (timeouts, leader changes, unreachable brokers, a topic
     * missing from the metadata), authentication failures and cluster-wide authorization failures (a configuration
     * problem of the whole producer, not of one message), and anything that is not a Kafka exception. Not
     * transient: a {@link TopicAuthorizationException} (this one topic refuses this client: rows for it count their
     * attempts and end dead, replayable, instead of blocking their keys for ever) and other Kafka exceptions, which
     * are about the message (record too large, invalid topic).
     */
    static boolean isTransient(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof TopicAuthorizationException) {
                return false;
            }
            if (t instanceof RetriableException || t instanceof AuthenticationException
                    || t instanceof AuthorizationException) {
                return true;
            }
            if (t instanceof KafkaException && t.getCause() == null) {
                return false;
            }
        }
        return true;
    }
}
