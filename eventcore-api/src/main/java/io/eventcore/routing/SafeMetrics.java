package io.eventcore.routing;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shields processing from a failing {@link EventMetrics}: exceptions are logged and dropped. */
final class SafeMetrics implements EventMetrics {
    private static final Logger log = LoggerFactory.getLogger(SafeMetrics.class);

    private final EventMetrics delegate;

    private SafeMetrics(EventMetrics delegate) {
        this.delegate = delegate;
    }

    static EventMetrics wrap(EventMetrics metrics) {
        return metrics == NoopMetrics.INSTANCE || metrics instanceof SafeMetrics ? metrics : new SafeMetrics(metrics);
    }

    @Override
    public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
        try {
            delegate.dispatched(eventType, outcome, elapsed);
        } catch (RuntimeException e) {
            log.warn("metrics failed in dispatched()", e);
        }
    }

    @Override
    public void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
        try {
            delegate.handlerAttempt(eventType, handlerName, elapsed, success);
        } catch (RuntimeException e) {
            log.warn("metrics failed in handlerAttempt()", e);
        }
    }

    @Override
    public void retried(String eventType, int attempt) {
        try {
            delegate.retried(eventType, attempt);
        } catch (RuntimeException e) {
            log.warn("metrics failed in retried()", e);
        }
    }

    @Override
    public void deadLettered(String eventType, String exceptionClass) {
        try {
            delegate.deadLettered(eventType, exceptionClass);
        } catch (RuntimeException e) {
            log.warn("metrics failed in deadLettered()", e);
        }
    }
}
