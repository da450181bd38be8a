package io.eventcore.transport;

/**
 * A consumer's health, for readiness and liveness probes.
 *
 * @param status the status
 * @param detail a human-readable explanation (e.g. which partition is stalled and since when)
 */
public record ConsumerHealth(Status status, String detail) {

    /** Health states. */
    public enum Status {
        /** Not started yet, or closed normally. */
        STOPPED,
        /** Running and making progress. */
        UP,
        /** Running, but some partition has not advanced for longer than the stall threshold. */
        STALLED,
        /**
         * Running, but no broker has been reachable for a while (the Kafka consumer: 10 s without a connection to
         * any broker); it reconnects by itself and turns {@link #UP} again when one answers. Probes should treat
         * it as not ready.
         */
        DISCONNECTED,
        /** Stopped by a fatal error: it no longer consumes. */
        DOWN
    }

    /** @return whether the status is {@link Status#UP} */
    public boolean healthy() {
        return status == Status.UP;
    }
}
