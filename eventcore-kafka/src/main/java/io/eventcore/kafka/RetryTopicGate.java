package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The consumer side of retry topics: which topics to subscribe (each consumed topic's retry
 * topic beside it, see {@link RetryTopics}), which topics are retry topics, and whether a
 * retry-topic record is due yet (its {@value EventHeaders#DUE_AT} header). A record that is not
 * due holds its partition until then; nothing sleeps. Without retry topics (no route uses
 * {@code REDELIVER}) it adds nothing and gates nothing. Immutable.
 */
final class RetryTopicGate {
    private final Map<String, String> retryTopics;
    private final Set<String> retryTopicNames;

    /** @param settings the consumer's settings; their {@code retryTopics} map each topic to its retry topic */
    RetryTopicGate(ConsumerSettings settings) {
        this(settings.retryTopics());
    }

    /** @param retryTopics each consumed topic's retry topic; empty when retry topics are not in use */
    RetryTopicGate(Map<String, String> retryTopics) {
        this.retryTopics = Map.copyOf(retryTopics);
        this.retryTopicNames = Set.copyOf(retryTopics.values());
    }

    /** @return {@code topics} followed by their retry topics, without duplicates */
    List<String> subscription(List<String> topics) {
        Set<String> all = new LinkedHashSet<>(topics);
        for (String t : topics) {
            String retry = retryTopics.get(t);
            if (retry != null) {
                all.add(retry);
            }
        }
        return List.copyOf(all);
    }

    /** @return whether records of {@code topic} are retry copies, gated by due time */
    boolean isRetryTopic(String topic) {
        return retryTopicNames.contains(topic);
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
