package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The consumer side of retry topics: which topics to subscribe ({@code <topic><suffix>} beside
 * each topic), which topics are retry topics, and whether a retry-topic record is due yet
 * (its {@value EventHeaders#DUE_AT} header). A record that is not due holds its partition until
 * then; nothing sleeps. Immutable.
 */
final class RetryTopicGate {
    private final boolean enabled;
    private final String suffix;

    /**
     * @param enabled whether retry topics are in use
     * @param suffix suffix of retry topics, e.g. {@code .retry}
     */
    RetryTopicGate(boolean enabled, String suffix) {
        this.enabled = enabled;
        this.suffix = suffix;
    }

    /** @return the retry topic of {@code topic} (itself if it already is one) */
    static String retryTopicOf(String topic, String suffix) {
        return topic.endsWith(suffix) ? topic : topic + suffix;
    }

    /** @return {@code topics} followed by their retry topics when enabled, without duplicates */
    List<String> subscription(List<String> topics) {
        Set<String> all = new LinkedHashSet<>(topics);
        if (enabled) {
            for (String t : topics) {
                all.add(retryTopicOf(t, suffix));
            }
        }
        return List.copyOf(all);
    }

    /** @return whether records of {@code topic} are gated by due time */
    boolean isRetryTopic(String topic) {
        return enabled && topic.endsWith(suffix);
    }

    /**
     * @param record a record of a retry topic
     * @param now the current time
     * @return the due time if it is after {@code now}, else {@code null} (process it now; also
     *     when the header is missing or unreadable)
     */
    Instant holdUntil(ConsumerRecord<byte[], byte[]> record, Instant now) {
        Instant due = dueAt(record);
        return due != null && due.isAfter(now) ? due : null;
    }

    private static Instant dueAt(ConsumerRecord<byte[], byte[]> record) {
        Header h = record.headers().lastHeader(EventHeaders.DUE_AT);
        if (h == null || h.value() == null) {
            return null;
        }
        try {
            return Instant.parse(new String(h.value(), StandardCharsets.UTF_8));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
