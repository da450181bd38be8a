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
        /** Stopped by a fatal error: it no longer consumes. */
        DOWN
    }

    /** @return whether the status is {@link Status#UP} */
    public boolean healthy() {
        return status == Status.UP;
    }
}
