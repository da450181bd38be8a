package io.eventcore.routing;

import java.time.Duration;

enum NoopMetrics implements EventMetrics {
    INSTANCE;

    @Override
    public void dispatched(String eventType, DispatchOutcome outcome, Duration elapsed) {
    }

    @Override
    public void handlerAttempt(String eventType, String handlerName, Duration elapsed, boolean success) {
    }

    @Override
    public void retried(String eventType, int attempt) {
    }

    @Override
    public void deadLettered(String eventType, String exceptionClass) {
    }
}
