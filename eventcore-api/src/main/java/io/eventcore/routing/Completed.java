package io.eventcore.routing;

import java.util.concurrent.CompletableFuture;

/**
 * A future completed at construction that nobody can change afterwards: {@code obtrudeValue} and
 * {@code obtrudeException} throw, and every other way to complete it is a no-op on a completed
 * future. One instance can therefore stand for a common result of many dispatches at once (a
 * completed future keeps no dependents: they run at once), so the synchronous path allocates no
 * future per stage. Stages derived from it are plain {@link CompletableFuture}s.
 *
 * @param <T> the value type
 */
final class Completed<T> extends CompletableFuture<T> {

    Completed(T value) {
        super.complete(value);
    }

    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("a shared completed stage cannot be changed");
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a shared completed stage cannot be changed");
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
