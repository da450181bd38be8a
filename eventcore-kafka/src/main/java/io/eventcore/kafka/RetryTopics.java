package io.eventcore.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Names of retry topics: the default {@code <topic>.<group>.retry} made a legal Kafka topic name,
 * and the validated map from each consumed topic to its retry topic. Retry topics are per group:
 * a copy written because one group failed must never reach another group of the same topic.
 */
final class RetryTopics {
    /** Kafka's limit on topic name length. */
    static final int MAX_TOPIC_LENGTH = 249;
    /** Suffix of default retry topic names. */
    static final String SUFFIX = ".retry";

    private static final Pattern ILLEGAL = Pattern.compile("[^a-zA-Z0-9._-]");
    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]+");
    /** Characters of the hash that keeps a shortened name unique. */
    private static final int HASH_CHARS = 16;

    private RetryTopics() {
    }

    /**
     * @return {@code <topic>.<group>.retry}, every character Kafka does not allow in topic names
     *     replaced by {@code _}; longer than {@value #MAX_TOPIC_LENGTH} characters, it is cut and
     *     keeps a hash of the full name before {@code .retry}, so it stays unique
     */
    static String defaultName(String topic, String group) {
        String full = topic + "." + group + SUFFIX;
        String legal = ILLEGAL.matcher(full).replaceAll("_");
        if (legal.length() <= MAX_TOPIC_LENGTH) {
            return legal;
        }
        String hash = sha256(full).substring(0, HASH_CHARS);
        String head = legal.substring(0, MAX_TOPIC_LENGTH - SUFFIX.length() - HASH_CHARS - 1);
        return head + "." + hash + SUFFIX;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * @param topics the consumed topics
     * @param naming maps a consumed topic to its retry topic
     * @return each topic's retry topic, in order
     * @throws IllegalStateException naming the topic when its retry topic is not a legal Kafka
     *     topic name, is a consumed topic itself, or is shared with another topic
     */
    static Map<String, String> map(List<String> topics, UnaryOperator<String> naming) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> consumed = Set.copyOf(topics);
        for (String topic : topics) {
            String retry = naming.apply(topic);
            if (retry == null || !LEGAL_NAME.matcher(retry).matches() || retry.length() > MAX_TOPIC_LENGTH
                    || retry.equals(".") || retry.equals("..")) {
                throw new IllegalStateException("retryTopicNaming must give a legal Kafka topic name (at most "
                        + MAX_TOPIC_LENGTH + " of [a-zA-Z0-9._-]), but gave " + retry + " for topic " + topic);
            }
            if (consumed.contains(retry)) {
                throw new IllegalStateException("retryTopicNaming gave " + retry + " for topic " + topic
                        + ", which is a consumed topic itself: list only the original topics");
            }
            if (out.containsValue(retry)) {
                throw new IllegalStateException("retryTopicNaming gave " + retry + " for topic " + topic
                        + " and for another topic: each topic needs its own retry topic");
            }
            out.put(topic, retry);
        }
        return Collections.unmodifiableMap(out);
    }
}
