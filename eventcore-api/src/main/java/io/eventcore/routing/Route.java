package io.eventcore.routing;

import io.eventcore.AsyncEventHandler;
import io.eventcore.BatchContext;
import io.eventcore.BatchFailedException;
import io.eventcore.BatchHandler;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHandler;
import io.eventcore.RawEventHandler;
import io.eventcore.deadletter.DeadLetterSink;
import io.eventcore.retry.RetryPolicy;

import java.time.Duration;
import java.util.List;
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
    /** The batch handler of a batch route, else {@code null}; {@link #handler} then calls it with one event. */
    final BatchHandler<T> batch;
    final int maxBatchSize;
    final int maxBatchBytes;

    Route(String type, Class<T> payloadClass, AsyncEventHandler<T> handler, RawEventHandler raw, String name,
            RetryPolicy retry, DeadLetterSink deadLetter, Duration timeout) {
        this(type, payloadClass, handler, raw, name, retry, deadLetter, timeout, null, 1, 1);
    }

    Route(String type, Class<T> payloadClass, AsyncEventHandler<T> handler, RawEventHandler raw, String name,
            RetryPolicy retry, DeadLetterSink deadLetter, Duration timeout, BatchHandler<T> batch, int maxBatchSize,
            int maxBatchBytes) {
        this.type = type;
        this.payloadClass = payloadClass;
        this.handler = handler;
        this.raw = raw;
        this.name = name;
        this.retry = retry;
        this.deadLetter = deadLetter;
        this.timeout = timeout;
        this.batch = batch;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchBytes = maxBatchBytes;
    }

    @SuppressWarnings("unchecked")
    void invokeBatch(List<? extends Event<?>> events, BatchContext context) throws Exception {
        batch.handle((List<Event<T>>) (List<?>) events, context);
    }

    /**
     * A batch handler as the handler of one event (retries, the single-event fallback): a
     * {@link BatchFailedException} fails the attempt with its cause.
     */
    static <T> AsyncEventHandler<T> single(BatchHandler<T> batch) {
        return (event, ctx) -> {
            try {
                batch.handle(List.of(event), new BatchContext(List.of(ctx)));
                return DONE;
            } catch (BatchFailedException e) {
                return CompletableFuture.failedFuture(e.getCause());
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
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
