package io.eventcore.routing;

import io.eventcore.InboundMessage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN line of a message acknowledged unprocessed under {@link UnknownTypePolicy#SKIP}: topic, partition,
 * offset and why, at most one line per second per router; the lines held back are counted in the next one, and
 * every skip is still counted in the metrics.
 */
final class SkipLog {
    private static final Logger log = LoggerFactory.getLogger(UnknownTypePolicy.class);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final AtomicLong nextLine = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private final AtomicLong heldBack = new AtomicLong();

    void skipped(InboundMessage message, String why) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long now = System.nanoTime();
        long next = nextLine.get();
        if (now - next < 0 || !nextLine.compareAndSet(next, now + INTERVAL_NANOS)) {
            heldBack.incrementAndGet();
            return;
        }
        long more = heldBack.getAndSet(0);
        log.warn("skipped {}-{}@{} unprocessed (onUnknownType SKIP): {}{}", message.topic(), message.partition(),
                message.offset(), why, more == 0 ? "" : " (" + more + " more skipped in the last second, not logged)");
    }
}
