package io.eventcore.spring.boot;

import io.eventcore.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Creates the application's {@link NewTopic} beans on the broker when the context starts, before the relay and the
 * consumers start (phase {@value #PHASE}); a topic that exists already is left as it is (its partitions and
 * configuration are not changed). A broker that does not answer within {@code eventcore.kafka.topics-timeout}
 * fails the start-up, naming the topics.
 */
final class KafkaTopicsAtStartup implements SmartLifecycle {
    /** Before the relay's phase ({@code 0}) and the consumers' ({@code 1000}). */
    static final int PHASE = -100;
    private static final Logger log = LoggerFactory.getLogger(KafkaTopicsAtStartup.class);

    private final KafkaClientSettings client;
    private final List<NewTopic> topics;
    private final Duration timeout;
    private volatile boolean running;

    KafkaTopicsAtStartup(KafkaClientSettings client, List<NewTopic> topics, Duration timeout) {
        this.client = client;
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
    }

    @Override
    public void start() {
        Map<String, Object> config = new HashMap<>(client.properties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, client.bootstrapServers());
        List<String> names = topics.stream().map(NewTopic::name).toList();
        Admin admin = Admin.create(config);
        try {
            CreateTopicsResult result = admin.createTopics(topics);
            long deadline = System.nanoTime() + timeout.toNanos(); // one bound for all topics, not one each
            for (NewTopic topic : topics) {
                try {
                    result.values().get(topic.name()).get(Math.max(0, deadline - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                    log.info("created topic {} ({} partitions)", topic.name(), topic.numPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic.name() + ": " + e.getCause(),
                                e.getCause());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not create the topics " + names + " within "
                    + timeout + " (eventcore.kafka.topics-timeout)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the topics " + names, e);
        } finally {
            admin.close(Duration.ZERO); // a request still pending for a broker that never answered is dropped
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
