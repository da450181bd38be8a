package io.eventcore.kafka;

import io.eventcore.routing.EventRouter;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import io.eventcore.test.TransportContract;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The transport contract for {@link KafkaShareEventConsumer} on a real broker, declaring no ordering: the key-order
 * tests are skipped, and an unacknowledged record is the only one redelivered to the next member. A broker of its
 * own (a child JVM): the contract's group names are consumer groups on the shared in-JVM broker, and a group id is
 * either a consumer group or a share group.
 */
class ShareTransportIT extends TransportContract {
    private static KafkaBrokerProcess broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBrokerProcess.start(KafkaBrokerProcess.Security.PLAINTEXT, Map.of(
                "group.share.heartbeat.interval.ms", "1000", "group.share.min.heartbeat.interval.ms", "1000"));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected boolean ordered() {
        return false;
    }

    @Override
    protected String createTopic() {
        String topic = "share-contract-" + UUID.randomUUID();
        KafkaTopics.create(broker.bootstrapServers(), 3, topic);
        return topic;
    }

    @Override
    protected EventPublisher createPublisher() {
        return KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .topics(TopicNaming.perType("share-contract-")).build();
    }

    @Override
    protected EventConsumer createConsumer(String topic, String group, EventRouter router) {
        return KafkaShareEventConsumer.builder().bootstrapServers(broker.bootstrapServers())
                .groupId(group).topics(topic).router(router).build();
    }
}
