package io.eventcore.examples.spring;

import io.eventcore.kafka.KafkaClientSettings;
import io.eventcore.spring.boot.EventcoreProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.springframework.stereotype.Component;

/**
 * Creates the consumed topics and their dead-letter topics, if missing, while the context starts: before the
 * consumer subscribes, which otherwise would see a topic the relay's first send auto-creates only at its next
 * metadata refresh, minutes later. Production topics are made by whoever runs the cluster.
 */
@Component
class Topics {
    /** Partitions of each topic created here. */
    static final int PARTITIONS = 3;

    Topics(KafkaClientSettings client, EventcoreProperties properties)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<NewTopic> topics = new ArrayList<>();
        for (String topic : properties.consumer().topics()) {
            topics.add(new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty()));
            topics.add(new NewTopic(topic + properties.deadLetter().suffix(), Optional.of(PARTITIONS),
                    Optional.empty()));
        }
        try (Admin admin = Admin.create(client.properties())) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
