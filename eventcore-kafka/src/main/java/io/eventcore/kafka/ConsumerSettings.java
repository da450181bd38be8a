package io.eventcore.kafka;

import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_COMMIT_INTERVAL;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_DRAIN_TIMEOUT;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_FAILED_BACKOFF;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_MAX_CONCURRENCY;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_MAX_FAILED_BACKOFF;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_MAX_IN_FLIGHT;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_MAX_IN_FLIGHT_PER_PARTITION;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_POLL_TIMEOUT;
import static io.eventcore.kafka.KafkaEventConsumerBuilder.DEFAULT_STALL_TIMEOUT;

import io.eventcore.internal.Checks;
import io.eventcore.transport.Ordering;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The validated settings the consumer runtime reads, as built by {@link KafkaEventConsumerBuilder}
 * through a {@link Draft}.
 *
 * @param groupId consumer group
 * @param topics subscribed topics (their retry topics are added by {@link RetryTopicGate}); empty
 *     when {@code pattern} is set
 * @param pattern subscription pattern, or {@code null} when {@code topics} is set
 * @param ordering which records may run at the same time
 * @param pollTimeout bound of one {@code poll}
 * @param commitInterval time between async commits
 * @param drainTimeout bound of draining in-flight work on revoke and close, and of sync commits
 * @param stallTimeout time without progress before a partition with work in flight is stalled
 * @param maxInFlight records in flight across partitions before all are paused
 * @param maxInFlightPerPartition records in flight in one partition before it is paused
 * @param retryTopics each consumed topic's retry topic, subscribed and gated by due time; empty when
 *     no route uses {@code REDELIVER} (then no retry topic is read or written)
 * @param maxConcurrency worker threads of the consumer's own pool (when no executor is given)
 * @param failedBackoff first back-off of a {@code FAILED} record
 * @param maxFailedBackoff cap of that back-off
 */
record ConsumerSettings(String groupId, List<String> topics, Pattern pattern, Ordering ordering, Duration pollTimeout,
        Duration commitInterval, Duration drainTimeout, Duration stallTimeout, int maxInFlight,
        int maxInFlightPerPartition, Map<String, String> retryTopics, int maxConcurrency,
        Duration failedBackoff, Duration maxFailedBackoff) {

    ConsumerSettings {
        topics = List.copyOf(topics);
        retryTopics = Collections.unmodifiableMap(new LinkedHashMap<>(retryTopics));
    }

    /**
     * The settings while the builder collects them: each is validated when made (bad value:
     * {@link IllegalArgumentException} naming setting and value), may be made once
     * ({@link IllegalStateException} naming it), and is defaulted by {@link #resolve()}.
     */
    static final class Draft {
        private String groupId;
        private List<String> topics;
        private Pattern pattern;
        private Ordering ordering;
        private Integer maxConcurrency;
        private Duration commitInterval;
        private Duration drainTimeout;
        private Duration pollTimeout;
        private Duration stallTimeout;
        private Integer maxInFlight;
        private Integer maxInFlightPerPartition;
        private Boolean retryTopics;
        private UnaryOperator<String> retryTopicNaming;
        private Duration failedBackoff;
        private Duration maxFailedBackoff;

        void groupId(String group) {
            groupId = Checks.once("groupId", groupId, Checks.notBlank("groupId", group));
        }

        void topics(String... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("topics must name at least one topic, but was empty");
            }
            for (String n : names) {
                Checks.notBlank("topics", n);
            }
            if (pattern != null) {
                throw new IllegalStateException("topics conflicts with topicPattern (" + pattern + "): set exactly one");
            }
            topics = Checks.once("topics", topics, List.of(names));
        }

        void topicPattern(Pattern regex) {
            Objects.requireNonNull(regex, "topicPattern");
            if (topics != null) {
                throw new IllegalStateException("topicPattern conflicts with topics " + topics + ": set exactly one");
            }
            pattern = Checks.once("topicPattern", pattern, regex);
        }

        void ordering(Ordering mode) {
            ordering = Checks.once("ordering", ordering, Objects.requireNonNull(mode, "ordering"));
        }

        void maxConcurrency(int threads) {
            maxConcurrency = Checks.once("maxConcurrency", maxConcurrency, Checks.atLeast("maxConcurrency", threads, 1));
        }

        void commitInterval(Duration interval) {
            commitInterval = Checks.once("commitInterval", commitInterval, Checks.positive("commitInterval", interval));
        }

        void drainTimeout(Duration timeout) {
            drainTimeout = Checks.once("drainTimeout", drainTimeout, Checks.notNegative("drainTimeout", timeout));
        }

        void pollTimeout(Duration timeout) {
            pollTimeout = Checks.once("pollTimeout", pollTimeout, Checks.positive("pollTimeout", timeout));
        }

        void stallTimeout(Duration timeout) {
            stallTimeout = Checks.once("stallTimeout", stallTimeout, Checks.positive("stallTimeout", timeout));
        }

        void maxInFlight(int max) {
            maxInFlight = Checks.once("maxInFlight", maxInFlight, Checks.atLeast("maxInFlight", max, 1));
        }

        void maxInFlightPerPartition(int max) {
            maxInFlightPerPartition = Checks.once("maxInFlightPerPartition", maxInFlightPerPartition,
                    Checks.atLeast("maxInFlightPerPartition", max, 1));
        }

        void retryTopics(boolean enabled) {
            retryTopics = Checks.once("retryTopics", retryTopics, enabled);
        }

        void retryTopicNaming(UnaryOperator<String> naming) {
            retryTopicNaming = Checks.once("retryTopicNaming", retryTopicNaming,
                    Objects.requireNonNull(naming, "retryTopicNaming"));
        }

        void failedBackoff(Duration first, Duration max) {
            Checks.positive("failedBackoff", first);
            Objects.requireNonNull(max, "maxFailedBackoff");
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("maxFailedBackoff must be >= failedBackoff (" + first
                        + "), but was " + max);
            }
            failedBackoff = Checks.once("failedBackoff", failedBackoff, first);
            maxFailedBackoff = max;
        }

        /** @return the group id, or {@code null} if not set yet */
        String groupId() {
            return groupId;
        }

        /**
         * @param redeliveredTypes event types whose route retries with {@code REDELIVER}
         * @return the settings, defaults applied
         * @throws IllegalStateException if {@code groupId} or both {@code topics} and
         *     {@code topicPattern} are missing, or retry topics are needed but disabled or
         *     impossible (a topic pattern), or a retry topic name is illegal
         */
        ConsumerSettings resolve(Set<String> redeliveredTypes) {
            if (groupId == null) {
                throw new IllegalStateException("groupId must be set");
            }
            if (topics == null && pattern == null) {
                throw new IllegalStateException("exactly one of topics or topicPattern must be set, but neither was");
            }
            return new ConsumerSettings(groupId, topics == null ? List.of() : topics, pattern,
                    or(ordering, Ordering.KEY), or(pollTimeout, DEFAULT_POLL_TIMEOUT),
                    or(commitInterval, DEFAULT_COMMIT_INTERVAL), or(drainTimeout, DEFAULT_DRAIN_TIMEOUT),
                    or(stallTimeout, DEFAULT_STALL_TIMEOUT), or(maxInFlight, DEFAULT_MAX_IN_FLIGHT),
                    or(maxInFlightPerPartition, DEFAULT_MAX_IN_FLIGHT_PER_PARTITION), retryTopics(redeliveredTypes),
                    or(maxConcurrency, DEFAULT_MAX_CONCURRENCY),
                    or(failedBackoff, DEFAULT_FAILED_BACKOFF), or(maxFailedBackoff, DEFAULT_MAX_FAILED_BACKOFF));
        }

        /** Retry topics exist only for REDELIVER routes, and such a route is never left without one. */
        private Map<String, String> retryTopics(Set<String> redeliveredTypes) {
            if (Boolean.FALSE.equals(retryTopics)) {
                if (!redeliveredTypes.isEmpty()) {
                    throw new IllegalStateException("retryTopics(false) conflicts with the route of "
                            + quoted(redeliveredTypes) + ", which retries with RetryMode.REDELIVER: its retries "
                            + "would go to a topic nobody reads. Enable retryTopics or use RetryMode.IN_PLACE");
                }
                if (retryTopicNaming != null) {
                    throw new IllegalStateException("retryTopicNaming conflicts with retryTopics(false)");
                }
                return Map.of();
            }
            if (redeliveredTypes.isEmpty()) {
                return Map.of();
            }
            if (pattern != null) {
                throw new IllegalStateException("topicPattern (" + pattern + ") cannot be combined with the route of "
                        + quoted(redeliveredTypes) + ", which retries with RetryMode.REDELIVER: retry topics are "
                        + "named per consumed topic and group, so subscribe with topics(...)");
            }
            String group = groupId;
            return RetryTopics.map(topics, or(retryTopicNaming, t -> RetryTopics.defaultName(t, group)));
        }

        private static String quoted(Set<String> types) {
            return types.size() == 1 ? "event type '" + types.iterator().next() + "'" : "event types " + types;
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }
    }
}
