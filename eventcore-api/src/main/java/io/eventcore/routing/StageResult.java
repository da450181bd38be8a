package io.eventcore.routing;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * What a stage hands back up the chain: a final {@link DispatchResult} ({@code done}), or a
 * failure. Below the retry stage a failure is one attempt's; above it, it is the failure that
 * exhausted the policy, with its attempt count and failure times, for the dead-letter stage.
 */
record StageResult(DispatchResult done, Throwable failure, int attempts, Instant firstFailureAt,
        Instant lastFailureAt) {

    /** One attempt succeeded (below the retry stage). */
    static final StageResult ATTEMPT_SUCCEEDED = new StageResult(null, null, 0, null, null);
    /** The dispatch succeeded at its first attempt: the common outcome. */
    static final StageResult SUCCEEDED_AT_FIRST_ATTEMPT = done(DispatchResult.succeeded(1));
    private static final CompletableFuture<StageResult> ATTEMPT_SUCCEEDED_STAGE = new Completed<>(ATTEMPT_SUCCEEDED);
    private static final CompletableFuture<StageResult> SUCCEEDED_AT_FIRST_ATTEMPT_STAGE =
            new Completed<>(SUCCEEDED_AT_FIRST_ATTEMPT);

    /** @return a completed stage of this result; shared for the common results, so it allocates nothing */
    CompletableFuture<StageResult> stage() {
        if (this == ATTEMPT_SUCCEEDED) {
            return ATTEMPT_SUCCEEDED_STAGE;
        }
        return this == SUCCEEDED_AT_FIRST_ATTEMPT ? SUCCEEDED_AT_FIRST_ATTEMPT_STAGE
                : CompletableFuture.completedFuture(this);
    }

    static StageResult succeeded(int attempts) {
        return attempts == 1 ? SUCCEEDED_AT_FIRST_ATTEMPT : done(DispatchResult.succeeded(attempts));
    }

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
