package io.eventcore.routing;

import io.eventcore.EventcoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs one user {@link Middleware} as a stage of the chain. The middleware sees a failed attempt
 * as an exceptionally completed stage, so it may observe, transform or (deliberately) swallow it,
 * exactly as with an OkHttp interceptor.
 */
final class MiddlewareStage implements Stage {
    private final Middleware middleware;

    MiddlewareStage(Middleware middleware) {
        this.middleware = middleware;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        CompletionStage<Void> stage;
        try {
            stage = middleware.invoke(exchange.event(), exchange.context(),
                    (event, context) -> next.proceed(exchange.withAttempt(event, context)).thenCompose(r ->
                            r.failure() == null ? CompletableFuture.<Void>completedFuture(null)
                                    : CompletableFuture.<Void>failedFuture(r.failure())));
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(StageResult.attemptFailed(t));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(StageResult.attemptFailed(
                    new EventcoreException("middleware " + middleware + " returned null")));
        }
        return Stage.own(stage).handle((ok, t) -> t == null ? StageResult.ATTEMPT_SUCCEEDED
                : StageResult.attemptFailed(unwrap(t)));
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
