package io.eventcore.routing;

import io.eventcore.Event;
import io.eventcore.EventContext;

import java.util.concurrent.CompletionStage;

/**
 * Wraps every handler attempt, in the style of an OkHttp interceptor.
 *
 * <p>User middleware runs <em>once per attempt</em>, inside the router's fixed built-in chain:
 * observation/metrics &rarr; dead-letter &rarr; retry &rarr; timeout &rarr; user middleware (in
 * registration order) &rarr; handler. So a middleware sees every retry, a failure it lets through
 * is retried before it can reach the dead-letter sink, and it cannot swallow a dead-letter.
 *
 * <p>A middleware calls {@code chain.proceed(event, context)} at most once and returns (or
 * transforms) its stage; completing exceptionally fails the attempt. Must be thread-safe.
 *
 * <p>Middleware works on decoded events, so it does not run for routes added with
 * {@code EventRouter.Builder.routeRaw}, which decode nothing.
 *
 * <pre>{@code
 * Middleware timing = (event, ctx, chain) -> {
 *     long start = System.nanoTime();
 *     return chain.proceed(event, ctx).whenComplete((ok, err) -> log(event, System.nanoTime() - start));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Middleware {

    /**
     * @param event the decoded event
     * @param context the attempt's context
     * @param chain the rest of the chain
     * @return a stage completing when the attempt completes
     */
    CompletionStage<Void> invoke(Event<?> event, EventContext context, Chain chain);

    /** The remainder of the chain after one middleware. */
    @FunctionalInterface
    interface Chain {
        /**
         * Invokes the next middleware, or the handler.
         *
         * @param event the event (a middleware may pass a copy with changed headers)
         * @param context the context
         * @return the attempt's stage
         */
        CompletionStage<Void> proceed(Event<?> event, EventContext context);
    }
}
