package io.eventcore.test;

import io.eventcore.transport.EventConsumer;
import io.eventcore.transport.EventPublisher;
import io.eventcore.routing.EventRouter;
import java.util.concurrent.atomic.AtomicInteger;

class InMemoryTransportTest extends TransportContract {
    private final InMemoryBroker broker = new InMemoryBroker();
    private final AtomicInteger topics = new AtomicInteger();

    @Override
    protected String createTopic() {
        String name = "contract-" + topics.incrementAndGet();
        broker.createTopic(name, 3);
        return name;
    }

    @Override
    protected EventPublisher createPublisher() {
        return broker.publisher();
    }

    @Override
    protected EventConsumer createConsumer(String topic, String group, EventRouter router) {
        return broker.consumer(group, topic, router).build();
    }
}
