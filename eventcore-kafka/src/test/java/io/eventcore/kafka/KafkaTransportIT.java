package io.eventcore.kafka;

import io.eventcore.test.EmbeddedKafka;
import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.TransportContract;
import io.eventcore.transport.TopicNaming;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transport contract against a real KRaft broker, with the classic group protocol (subclassed for
 * KIP-848's consumer protocol by {@link KafkaTransportConsumerProtocolIT}).
 */
class KafkaTransportIT extends TransportContract {
    private static final AtomicInteger TOPICS = new AtomicInteger();

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected String createTopic() {
        String topic = "contract-" + TOPICS.incrementAndGet();
        EmbeddedKafka.createTopics(3, topic);
        return topic;
    }

    @Override
    protected EventPublisher createPublisher() {
        // The contract sends OutboundMessages, which carry their topic; the naming (required by the
        // builder) only serves publish(Event), which the contract does not call.
        return KafkaEventPublisher.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .topics(TopicNaming.perType("contract-")).build();
    }

    /** @return the group protocol the consumers use ({@code group.protocol}) */
    protected String groupProtocol() {
        return "classic";
    }

    @Override
    protected EventConsumer createConsumer(String topic, String group, EventRouter router) {
        return KafkaEventConsumer.builder().bootstrapServers(EmbeddedKafka.bootstrapServers())
                .groupId(group).topics(topic).router(router).commitInterval(Duration.ofMillis(200))
                .properties(Map.of("group.protocol", groupProtocol()))
                .drainTimeout(Duration.ofSeconds(5)).build();
    }
}
