package io.eventcore.kafka;

import io.eventcore.transport.ConsumerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards to the user's {@link ConsumerMetrics}; what they throw is logged, never propagated. */
final class SafeConsumerMetrics implements ConsumerMetrics {
    private static final Logger log = LoggerFactory.getLogger(SafeConsumerMetrics.class);

    private final ConsumerMetrics delegate;

    SafeConsumerMetrics(ConsumerMetrics delegate) {
        this.delegate = delegate;
    }

    @Override
    public void partitionLag(String group, String topic, int partition, long lag) {
        safely(() -> delegate.partitionLag(group, topic, partition, lag));
    }

    @Override
    public void partitionPaused(String group, String topic, int partition, boolean paused) {
        safely(() -> delegate.partitionPaused(group, topic, partition, paused));
    }

    @Override
    public void inFlight(String group, int records) {
        safely(() -> delegate.inFlight(group, records));
    }

    @Override
    public void recordFailed(String group, String topic, int partition, String exceptionClass) {
        safely(() -> delegate.recordFailed(group, topic, partition, exceptionClass));
    }

    @Override
    public void partitionReleased(String group, String topic, int partition) {
        safely(() -> delegate.partitionReleased(group, topic, partition));
    }

    private static void safely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("consumer metrics threw; ignored: {}", e.toString());
        }
    }
}
