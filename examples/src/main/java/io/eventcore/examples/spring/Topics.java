package io.eventcore.examples.spring;

import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.spring.boot.EventcoreProperties;
import io.eventcore.test.KafkaTopics;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.stereotype.Component;

/**
 * Creates the consumed topics and their dead-letter topics if they are missing, and waits until their
 * partitions serve requests, while the context starts, before the relay's first send. Left to
 * auto-creation by that send, the topic made the relay's idempotent producer spin on
 * {@code OutOfOrderSequenceException} on the in-JVM broker. In production whoever runs the cluster makes them.
 */
@Component
class Topics {
    /** Partitions of each topic created here. */
    static final int PARTITIONS = 3;

    Topics(KafkaClientSettings client, EventcoreProperties properties)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> missing = new LinkedHashSet<>();
        for (String topic : properties.consumer().topics()) {
            missing.add(topic);
            missing.add(topic + properties.deadLetter().suffix());
        }
        try (Admin admin = Admin.create(client.properties())) {
            missing.removeAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        }
        if (!missing.isEmpty()) {
            KafkaTopics.create(client.properties(), PARTITIONS, Map.of(), missing.toArray(String[]::new));
        }
    }
}
