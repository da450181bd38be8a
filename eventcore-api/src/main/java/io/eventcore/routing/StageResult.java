package io.eventcore.routing;

import java.time.Instant;

/**
 * What a stage hands back up the chain: a final {@link DispatchResult} ({@code done}), or a
 * failure. Below the retry stage a failure is one attempt's; above it, it is the failure that
 * exhausted the policy, with its attempt count and failure times, for the dead-letter stage.
 */
record StageResult(DispatchResult done, Throwable failure, int attempts, Instant firstFailureAt,
        Instant lastFailureAt) {

    /** One attempt succeeded (below the retry stage). */
    static final StageResult ATTEMPT_SUCCEEDED = new StageResult(null, null, 0, null, null);

    static StageResult done(DispatchResult result) {
        return new StageResult(result, null, result.attempts(), null, null);
    }

    static StageResult attemptFailed(Throwable failure) {
        return new StageResult(null, failure, 0, null, null);
    }

    static StageResult gaveUp(Throwable failure, int attempts, Instant firstFailureAt, Instant lastFailureAt) {
        return new StageResult(null, failure, attempts, firstFailureAt, lastFailureAt);
    }

    boolean failed() {
        return failure != null && done == null;
    }
}
