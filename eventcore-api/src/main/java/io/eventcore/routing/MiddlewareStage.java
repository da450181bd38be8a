package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventcoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs one user {@link Middleware} as a stage of the chain. The middleware sees a failed attempt
 * as an exceptionally completed stage, so it may observe, transform or (deliberately) swallow it,
 * exactly as with an OkHttp interceptor. Raw routes have no event and pass straight through.
 */
final class MiddlewareStage implements Stage {
    /** What {@code chain.proceed} returns for an attempt that succeeded at once: shared and unchangeable. */
    private static final CompletableFuture<Void> SUCCEEDED = new Completed<>(null);

    private final Middleware middleware;

    MiddlewareStage(Middleware middleware) {
        this.middleware = middleware;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        if (exchange.route().raw != null) {
            return next.proceed(exchange);
        }
        CompletionStage<Void> stage;
        try {
            stage = middleware.invoke(exchange.event(), exchange.context(), new Rest(exchange, next));
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(StageResult.attemptFailed(t));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(StageResult.attemptFailed(
                    new EventcoreException("middleware " + middleware + " returned null")));
        }
        CompletableFuture<Void> own = Stage.own(stage);
        if (Stage.settled(own)) {
            return StageResult.ATTEMPT_SUCCEEDED.stage();
        }
        return own.handle((ok, t) -> t == null ? StageResult.ATTEMPT_SUCCEEDED : StageResult.attemptFailed(unwrap(t)));
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The rest of the chain as the middleware sees it. */
    private record Rest(Exchange exchange, Next next) implements Middleware.Chain {
        @Override
        public CompletionStage<Void> proceed(Event<?> event, EventContext context) {
            Exchange x = exchange;
            if (event != x.event() || context != x.context()) {
                x = x.withAttempt(event, context);
            }
            CompletableFuture<StageResult> result = Stage.own(next.proceed(x));
            if (Stage.settled(result)) {
                StageResult r = result.join();
                return r.failure() == null ? SUCCEEDED : CompletableFuture.failedFuture(r.failure());
            }
            return result.thenCompose(r -> r.failure() == null ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(r.failure()));
        }
    }
}
