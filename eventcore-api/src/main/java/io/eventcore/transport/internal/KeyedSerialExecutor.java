package io.eventcore.transport.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Internal, not API. Runs tasks of the same key one after another (each starts when the previous
 * task's stage has completed) and tasks of different keys in parallel on an executor. A
 * {@code null} key runs without ordering. Thread-safe.
 */
public final class KeyedSerialExecutor {
    private final Executor executor;
    private final Map<Object, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

    /**
     * @param executor where tasks run
     */
    public KeyedSerialExecutor(Executor executor) {
        this.executor = executor;
    }

    /**
     * @param key ordering key, or {@code null} for none
     * @param task produces the task's stage; called on the executor
     * @param <T> result type
     * @return completes with the task's result
     */
    public <T> CompletableFuture<T> submit(Object key, Supplier<? extends CompletionStage<T>> task) {
        if (key == null) {
            try {
                return CompletableFuture.supplyAsync(task, executor).thenCompose(s -> s);
            } catch (RuntimeException rejected) {
                return CompletableFuture.failedFuture(rejected);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<?> previous = tails.put(key, result);
        Runnable run = () -> {
            CompletionStage<T> stage;
            try {
                stage = task.get();
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            stage.whenComplete((v, t) -> {
                // Drop the tail only if nothing was queued behind this task.
                tails.remove(key, result);
                if (t != null) {
                    result.completeExceptionally(t);
                } else {
                    result.complete(v);
                }
            });
        };
        if (previous == null) {
            execute(key, result, run);
        } else {
            previous.whenComplete((v, t) -> execute(key, result, run));
        }
        return result;
    }

    /** A task the executor rejects (it was shut down) fails its stage instead of hanging it and its key. */
    private void execute(Object key, CompletableFuture<?> result, Runnable run) {
        try {
            executor.execute(run);
        } catch (RuntimeException rejected) {
            tails.remove(key, result);
            result.completeExceptionally(rejected);
        }
    }

    /** @return number of keys with queued or running tasks */
    public int activeKeys() {
        return tails.size();
    }
}
