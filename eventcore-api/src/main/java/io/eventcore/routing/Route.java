package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHandler;
import io.eventcore.RawEventHandler;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One resolved route: the type, and either its payload class and handler as an async function, or
 * a raw handler that gets the undecoded message ({@link #raw} not {@code null}); and its policies.
 */
final class Route<T> {
    /** What a synchronous handler's attempt returns when it succeeds: shared, nothing allocated. */
    static final CompletableFuture<Void> DONE = new Completed<>(null);

    final String type;
    final Class<T> payloadClass;
    final AsyncEventHandler<T> handler;
    final RawEventHandler raw;
    final String name;
    final RetryPolicy retry;
    final DeadLetterSink deadLetter;
    final Duration timeout;

    Route(String type, Class<T> payloadClass, AsyncEventHandler<T> handler, RawEventHandler raw, String name,
            RetryPolicy retry, DeadLetterSink deadLetter, Duration timeout) {
        this.type = type;
        this.payloadClass = payloadClass;
        this.handler = handler;
        this.raw = raw;
        this.name = name;
        this.retry = retry;
        this.deadLetter = deadLetter;
        this.timeout = timeout;
    }

    @SuppressWarnings("unchecked")
    CompletionStage<?> invoke(Event<?> event, EventContext context) {
        return handler.handle((Event<T>) event, context);
    }

    /** A synchronous handler as an async one: thrown exceptions become failed stages. */
    static <T> AsyncEventHandler<T> async(EventHandler<T> handler) {
        return (event, ctx) -> {
            try {
                handler.handle(event, ctx);
                return DONE;
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    /** Names a handler after the class that declared it: lambdas become their enclosing class. */
    static String defaultName(Object handler, String type) {
        String cls = handler.getClass().getName();
        int lambda = cls.indexOf("$$Lambda");
        return (lambda > 0 ? cls.substring(0, lambda) : cls) + "#" + type;
    }
}
