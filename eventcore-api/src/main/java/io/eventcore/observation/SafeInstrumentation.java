package io.eventcore.observation;

import io.eventcore.InboundMessage;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventInstrumentation#safe}: an exception of the instrumentation or of an operation it started is
 * logged and dropped; an operation that failed to start is {@link Observed#NONE}.
 */
final class SafeInstrumentation implements EventInstrumentation {
    private static final Logger log = LoggerFactory.getLogger(SafeInstrumentation.class);

    private final EventInstrumentation delegate;

    SafeInstrumentation(EventInstrumentation delegate) {
        this.delegate = delegate;
    }

    @Override
    public Observed process(InboundMessage message, String eventType) {
        return start("process", () -> delegate.process(message, eventType));
    }

    @Override
    public Observed send(String destination, String eventType, Map<String, String> headers) {
        return start("send", () -> delegate.send(destination, eventType, headers));
    }

    @Override
    public Observed create(String destination, String eventType) {
        return start("create", () -> delegate.create(destination, eventType));
    }

    @Override
    public Observed relay(String destination, String eventType, Map<String, String> stored) {
        return start("relay", () -> delegate.relay(destination, eventType, stored));
    }

    private static Observed start(String operation, Supplier<Observed> starter) {
        try {
            Observed observed = starter.get();
            return observed == null || observed == Observed.NONE ? Observed.NONE : new Guarded(observed);
        } catch (RuntimeException e) {
            log.warn("instrumentation failed to start a {} operation", operation, e);
            return Observed.NONE;
        }
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    /** An operation whose exceptions are logged and dropped. */
    private record Guarded(Observed delegate) implements Observed {

        @Override
        public Map<String, String> propagation() {
            try {
                Map<String, String> headers = delegate.propagation();
                return headers != null ? headers : Map.of();
            } catch (RuntimeException e) {
                log.warn("instrumentation failed in propagation()", e);
                return Map.of();
            }
        }

        @Override
        public Scope openScope() {
            try {
                Scope scope = delegate.openScope();
                return scope == null || scope == Scope.NONE ? Scope.NONE : () -> {
                    try {
                        scope.close();
                    } catch (RuntimeException e) {
                        log.warn("instrumentation failed closing a scope", e);
                    }
                };
            } catch (RuntimeException e) {
                log.warn("instrumentation failed in openScope()", e);
                return Scope.NONE;
            }
        }

        @Override
        public void retried(int attempt, Throwable failure) {
            try {
                delegate.retried(attempt, failure);
            } catch (RuntimeException e) {
                log.warn("instrumentation failed in retried()", e);
            }
        }

        @Override
        public void stop(String outcome, Throwable failure) {
            try {
                delegate.stop(outcome, failure);
            } catch (RuntimeException e) {
                log.warn("instrumentation failed in stop()", e);
            }
        }
    }
}
