package io.eventcore.kafka;

import io.eventcore.routing.EventRouter;
import io.eventcore.test.EmbeddedKafka;
import io.eventcore.test.TransportContract;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.UUID;

/**
 * The transport contract for {@link KafkaShareEventConsumer} on a real broker, declaring no ordering: the key-order
 * tests are skipped, and an unacknowledged record is the only one redelivered to the next member.
 */
class ShareTransportIT extends TransportContract {
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
        EmbeddedKafka.createTopics(3, topic);
        return topic;
    }

    @Override
    protected EventPublisher createPublisher() {
        return KafkaEventPublisher.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topics(TopicNaming.perType("share-contract-")).build();
    }

    @Override
    protected EventConsumer createConsumer(String topic, String group, EventRouter router) {
        return KafkaShareEventConsumer.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .groupId(group).topics(topic).router(router).build();
    }
}
