package io.eventcore.outbox;

/** Counts of one relay round's settlement; used by one thread. */
final class Tally {
    int published;
    int failures;
    int transientFailures;
    Throwable lastFailure;

    /** @return whether every failure was transient and nothing was published: an outage */
    boolean allTransient() {
        return failures > 0 && transientFailures == failures && published == 0;
    }
}
