package io.eventcore.observation;

import java.util.Map;

/**
 * One message operation being observed: started by an {@link EventInstrumentation} method and stopped
 * exactly once by the caller. {@link #NONE} observes nothing.
 *
 * <p>An implementation must be safe to stop from another thread than the one that started it; its methods
 * must not throw (a failure is the implementation's to log).
 */
public interface Observed {
    /** Observes nothing: no headers, no scope, stopping does nothing. */
    Observed NONE = new Observed() {
        @Override
        public void stop(String outcome, Throwable failure) {
        }

        @Override
        public String toString() {
            return "Observed.NONE";
        }
    };

    /**
     * Headers that carry this operation's trace context to the next hop, to be written into the message
     * or row, e.g. {@code traceparent}; empty when there is nothing to propagate (the default).
     *
     * @return the headers, unmodifiable
     */
    default Map<String, String> propagation() {
        return Map.of();
    }

    /**
     * Makes this operation the current one on the calling thread, so that work done there (a handler's
     * own spans, an event it publishes) becomes its child. Close the scope on the same thread.
     *
     * @return the scope to close; by default one that does nothing
     */
    default Scope openScope() {
        return Scope.NONE;
    }

    /**
     * Records that an attempt failed and will be retried, as an event of this operation.
     *
     * @param attempt the attempt that failed, from 1
     * @param failure its failure
     */
    default void retried(int attempt, Throwable failure) {
    }

    /**
     * Ends the operation.
     *
     * @param outcome a low-cardinality outcome, e.g. {@code succeeded} or {@code dead_lettered}
     * @param failure the failure, or {@code null} when it succeeded
     */
    void stop(String outcome, Throwable failure);

    /** A current-operation scope; {@link #close()} ends it. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        /** A scope that does nothing. */
        Scope NONE = () -> { };

        /** Ends the scope; never throws. */
        @Override
        void close();
    }
}
