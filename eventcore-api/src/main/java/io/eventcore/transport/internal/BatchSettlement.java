package io.eventcore.transport.internal;

import io.eventcore.InboundMessage;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link Settlement#processBatch}: dispatches the messages still open through {@link EventRouter#dispatchBatch},
 * reports every final outcome at once, settles the first outcome that is not final as a single message would be
 * (retries of the dispatch, the dead-letter write, redelivery), then goes on with what is still open. A message
 * is reported exactly once. When the unit is no longer owned, or a JVM error stops the transport, every open message
 * is reported with that failure and nothing more is dispatched.
 */
public final class BatchSettlement {

    /** Receives each message's end: {@code failure} is {@code null} when it was settled. */
    @FunctionalInterface
    public interface Settled {
        void settled(int index, Throwable failure);
    }

    private final Settlement settlement;
    private final EventRouter router;
    private final List<InboundMessage> messages;
    private final List<? extends Settlement.Lease> leases;
    private final Settled settled;
    private final boolean[] reported;
    /** Unordered: messages being settled on their own after a failure, while the others go on. */
    private final boolean[] aside;
    private final boolean ordered;
    private final List<CompletableFuture<Void>> asideDone = new ArrayList<>();

    BatchSettlement(Settlement settlement, EventRouter router, List<InboundMessage> messages,
            List<? extends Settlement.Lease> leases, Settled settled, boolean ordered) {
        this.settlement = settlement;
        this.router = router;
        this.messages = messages;
        this.leases = leases;
        this.settled = settled;
        this.reported = new boolean[messages.size()];
        this.aside = new boolean[messages.size()];
        this.ordered = ordered;
    }

    /** @return completes once every message has been reported */
    CompletionStage<Void> run() {
        return next().thenCompose(v -> {
            synchronized (asideDone) {
                return CompletableFuture.allOf(asideDone.toArray(new CompletableFuture<?>[0]));
            }
        });
    }

    private CompletionStage<Void> next() {
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < reported.length; i++) {
            if (!reported[i] && !aside[i]) {
                open.add(i);
            }
        }
        if (open.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        int first = open.get(0);
        if (!settlement.running() || !leases.get(first).valid()) {
            return endAll(new Settlement.AbandonedException(messages.get(first)));
        }
        List<InboundMessage> batch = new ArrayList<>(open.size());
        open.forEach(i -> batch.add(messages.get(i)));
        CompletionStage<List<DispatchResult>> stage;
        try {
            stage = router.dispatchBatch(batch, () -> settlement.running() && leases.get(first).valid());
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((results, failure) -> afterRound(open, failure == null ? results : null))
                .thenCompose(s -> s);
    }

    private CompletionStage<Void> afterRound(List<Integer> open, List<DispatchResult> results) {
        int blocker = -1;
        DispatchResult blocking = null;
        for (int j = 0; j < open.size() && results != null && j < results.size(); j++) {
            DispatchResult r = results.get(j);
            if (r == null) {
                continue;
            }
            if (isFinal(r)) {
                report(open.get(j), null);
            } else if (blocker < 0) {
                blocker = open.get(j);
                blocking = r;
            }
        }
        if (blocker < 0) {
            if (results != null && results.stream().anyMatch(r -> r != null)) {
                return next();
            }
            // No progress (a router that answered nothing): settle the first message alone, as a single one.
            blocker = open.get(0);
        }
        int index = blocker;
        InboundMessage message = messages.get(index);
        CompletionStage<Void> one = blocking != null ? settlement.settle(message, leases.get(index), blocking)
                : settlement.process(message, leases.get(index));
        if (!ordered) { // no order to keep: the others go on while this one is settled
            aside[index] = true;
            CompletableFuture<Void> done = one.handle((ok, failure) -> {
                report(index, failure == null ? null : Settlement.unwrap(failure));
                return (Void) null;
            }).toCompletableFuture();
            synchronized (asideDone) {
                asideDone.add(done);
            }
            return next();
        }
        return one.handle((ok, failure) -> {
            Throwable cause = failure == null ? null : Settlement.unwrap(failure);
            report(index, cause);
            if (cause instanceof Settlement.FatalDispatchException || cause instanceof Settlement.AbandonedException) {
                return endAll(new Settlement.AbandonedException(message));
            }
            return next();
        }).thenCompose(s -> s);
    }

    private static boolean isFinal(DispatchResult r) {
        DispatchOutcome o = r.outcome();
        return o == DispatchOutcome.SUCCEEDED || o == DispatchOutcome.SKIPPED || o == DispatchOutcome.DEAD_LETTERED;
    }

    private CompletionStage<Void> endAll(Throwable failure) {
        for (int i = 0; i < reported.length; i++) {
            if (!aside[i]) {
                report(i, failure);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    private synchronized void report(int index, Throwable failure) {
        if (!reported[index]) {
            reported[index] = true;
            settled.settled(index, failure);
        }
    }
}
