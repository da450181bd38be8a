package io.eventcore.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One link of the router's internal chain. Built-in concerns (observation, dead letter, decode,
 * retry, timeout) and each user {@link Middleware} are stages; {@link DefaultEventRouter#stages}
 * declares their order in one place. A stage calls {@code next.proceed} zero or more times (the
 * retry stage calls it once per attempt) and returns a stage that never completes exceptionally.
 */
@FunctionalInterface
interface Stage {

    CompletionStage<StageResult> apply(Exchange exchange, Next next);

    /** The rest of the chain after a stage. */
    @FunctionalInterface
    interface Next {
        CompletionStage<StageResult> proceed(Exchange exchange);
    }

    /**
     * The stage itself when it is a plain {@link CompletableFuture} (or a shared {@link Completed}
     * one), else a plain copy of it. A handler or middleware may return any {@link CompletionStage},
     * including the JDK's minimal stages whose {@code isDone()} throws; the chain only works on its
     * own kind.
     */
    static <T> CompletableFuture<T> own(CompletionStage<T> stage) {
        if (stage.getClass() == CompletableFuture.class || stage instanceof Completed) {
            return (CompletableFuture<T>) stage;
        }
        CompletableFuture<T> copy = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure != null) {
                copy.completeExceptionally(failure);
            } else {
                copy.complete(value);
            }
        });
        return copy;
    }

    /**
     * Whether a stage of the chain's own kind has completed normally, so that a stage can go on
     * with its value at once instead of composing: the synchronous path allocates no dependent
     * futures and no lambdas. What follows is the same as the composition would do, since a
     * dependent of a completed future runs at once on the calling thread.
     */
    static boolean settled(CompletableFuture<?> stage) {
        return stage.isDone() && !stage.isCompletedExceptionally();
    }

    /**
     * Links the stages into one chain, built once per router: calls allocate no chain objects.
     *
     * @return the entry point of the chain
     */
    static Next link(List<Stage> stages) {
        Next next = exchange -> {
            throw new IllegalStateException("the last stage must not call next");
        };
        for (int i = stages.size() - 1; i >= 0; i--) {
            Stage stage = stages.get(i);
            Next rest = next;
            next = exchange -> stage.apply(exchange, rest);
        }
        return next;
    }
}
