package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** One resolved route: the type, its payload class, the handler as an async function, and its policies. */
final class Route<T> {
    final String type;
    final Class<T> payloadClass;
    final AsyncEventHandler<T> handler;
    final String name;
    final RetryPolicy retry;
    final DeadLetterSink deadLetter;
    final Duration timeout;

    Route(String type, Class<T> payloadClass, AsyncEventHandler<T> handler, String name, RetryPolicy retry,
            DeadLetterSink deadLetter, Duration timeout) {
        this.type = type;
        this.payloadClass = payloadClass;
        this.handler = handler;
        this.name = name;
        this.retry = retry;
        this.deadLetter = deadLetter;
        this.timeout = timeout;
    }

    @SuppressWarnings("unchecked")
    CompletionStage<?> invoke(Event<?> event, EventContext context) {
        return handler.handle((Event<T>) event, context);
    }

    /** Names a handler after the class that declared it: lambdas become their enclosing class. */
    static String defaultName(Object handler, String type) {
        String cls = handler.getClass().getName();
        int lambda = cls.indexOf("$$Lambda");
        return (lambda > 0 ? cls.substring(0, lambda) : cls) + "#" + type;
    }
}
