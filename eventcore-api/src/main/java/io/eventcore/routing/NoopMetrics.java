package io.eventcore.routing;

/** Records nothing: every {@link EventMetrics} method is a no-op by default. */
enum NoopMetrics implements EventMetrics {
    INSTANCE
}
