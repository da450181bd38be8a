package io.eventcore.routing;

import io.eventcore.InboundMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * {@link EventRouter#dispatchBatch}: dispatches the messages of one ordering unit in order, in rounds. A round is a
 * run of undispatched messages of one batch route (bounded by its size and bytes), handed to one {@link BatchCall},
 * or a single message dispatched alone (no batch route, or the fallback after a batch failed as a whole). Nothing
 * starts once the transport no longer owns the messages. A round's
 * messages that were {@linkplain BatchCall#NOT_ATTEMPTED not attempted} stay undispatched for a later round. The
 * dispatch stops at the first message that is not final ({@code FAILED}, {@code RETRY_LATER}): the transport settles
 * it, then dispatches what is left. Results past an undispatched message that are not final are dropped (their
 * message is dispatched again after the earlier ones): nothing runs ahead of an earlier message of its unit.
 */
final class BatchDispatch {
    private final DefaultEventRouter router;
    private final EventMetrics metrics;
    private final List<InboundMessage> messages;
    private final DispatchResult[] results;
    private final BooleanSupplier owned;
    /** Messages below this index go alone: their batch failed as a whole. */
    private int aloneUntil;

    BatchDispatch(DefaultEventRouter router, EventMetrics metrics, List<InboundMessage> messages,
            BooleanSupplier owned) {
        this.router = router;
        this.owned = owned;
        this.metrics = metrics;
        this.messages = List.copyOf(messages);
        this.results = new DispatchResult[messages.size()];
    }

    /** The default of {@link EventRouter#dispatchBatch}: one message at a time, stopping at the first not final. */
    static CompletionStage<List<DispatchResult>> oneByOne(EventRouter router, List<InboundMessage> messages,
            BooleanSupplier owned) {
        DispatchResult[] results = new DispatchResult[messages.size()];
        return oneByOne(router, messages, owned, results, 0);
    }

    private static CompletionStage<List<DispatchResult>> oneByOne(EventRouter router, List<InboundMessage> messages,
            BooleanSupplier owned, DispatchResult[] results, int from) {
        for (int i = from; i < messages.size() && owned.getAsBoolean(); i++) {
            CompletableFuture<DispatchResult> one = Stage.own(router.dispatch(messages.get(i)));
            if (!Stage.settled(one)) {
                int at = i;
                return one.thenCompose(r -> {
                    results[at] = r;
                    return isFinal(r) ? oneByOne(router, messages, owned, results, at + 1) : done(results);
                });
            }
            results[i] = one.join();
            if (!isFinal(results[i])) {
                break;
            }
        }
        return done(results);
    }

    static boolean isFinal(DispatchResult r) {
        return switch (r.outcome()) {
            case SUCCEEDED, SKIPPED, DEAD_LETTERED -> true;
            default -> false;
        };
    }

    private static CompletableFuture<List<DispatchResult>> done(DispatchResult[] results) {
        return CompletableFuture.completedFuture(Arrays.asList(results));
    }

    CompletionStage<List<DispatchResult>> run() {
        CompletableFuture<List<DispatchResult>> all;
        try {
            all = from(0);
        } catch (RuntimeException e) {
            all = CompletableFuture.failedFuture(e);
        }
        return all.handle((r, t) -> Arrays.asList(results)); // never exceptional: what is left stays null
    }

    private CompletableFuture<List<DispatchResult>> from(int start) {
        int i = start;
        while (true) {
            i = nextOpen(i);
            if (i < 0 || stopped() || !owned.getAsBoolean()) {
                return done(results);
            }
            Route<?> route = router.routeOf(messages.get(i));
            List<Integer> run = i >= aloneUntil && route != null && route.batch != null ? run(i, route) : List.of(i);
            CompletableFuture<Void> round = run.size() == 1 ? alone(i) : batch(route, run);
            if (!round.isDone()) {
                return round.thenCompose(v -> from(start));
            }
        }
    }

    /** @return whether a message that is not final has a result with every message before it final */
    private boolean stopped() {
        for (DispatchResult r : results) {
            if (r == null) {
                return false;
            }
            if (!isFinal(r)) {
                return true;
            }
        }
        return false;
    }

    private int nextOpen(int from) {
        for (int i = from; i < results.length; i++) {
            if (results[i] == null) {
                return i;
            }
        }
        return -1;
    }

    /** The undispatched messages from {@code first} of {@code route}, within its bounds. */
    private List<Integer> run(int first, Route<?> route) {
        List<Integer> run = new ArrayList<>();
        long bytes = 0;
        for (int i = first; i < messages.size() && run.size() < route.maxBatchSize; i++) {
            if (results[i] != null) {
                continue;
            }
            InboundMessage m = messages.get(i);
            byte[] value = m.value();
            bytes += value == null ? 0 : value.length;
            if (router.routeOf(m) != route || (!run.isEmpty() && bytes > route.maxBatchBytes)) {
                break;
            }
            run.add(i);
        }
        return run;
    }

    private CompletableFuture<Void> alone(int i) {
        CompletableFuture<DispatchResult> one = Stage.own(router.dispatch(messages.get(i)));
        if (Stage.settled(one)) {
            settle(i, one.join());
            return CompletableFuture.completedFuture(null);
        }
        return one.thenAccept(r -> settle(i, r));
    }

    private CompletableFuture<Void> batch(Route<?> route, List<Integer> run) {
        BatchCall call = new BatchCall(route, metrics, run.size());
        List<CompletableFuture<DispatchResult>> dispatches = new ArrayList<>(run.size());
        for (int k = 0; k < run.size(); k++) {
            BatchCall.Slot slot = call.slot(k);
            CompletableFuture<DispatchResult> d = Stage.own(router.dispatch(messages.get(run.get(k)), slot));
            d.whenComplete((r, t) -> slot.ended());
            dispatches.add(d);
        }
        CompletableFuture<Void> called = call.ready().thenAccept(v -> {
            int alone = call.call(owned);
            if (alone > 0) {
                aloneUntil = Math.max(aloneUntil, run.get(alone - 1) + 1);
            }
        });
        return called.thenCompose(v -> CompletableFuture.allOf(dispatches.toArray(new CompletableFuture<?>[0])))
                .thenRun(() -> {
                    if (dispatches.get(0).join() == BatchCall.NOT_ATTEMPTED) {
                        aloneUntil = Math.max(aloneUntil, run.get(0) + 1); // it never reached the call: goes alone
                    }
                    for (int k = 0; k < run.size(); k++) {
                        DispatchResult r = dispatches.get(k).join();
                        if (r != BatchCall.NOT_ATTEMPTED) {
                            settle(run.get(k), r);
                        }
                    }
                });
    }

    /** Keeps a result unless it is not final and an earlier message is still undispatched. */
    private void settle(int index, DispatchResult r) {
        int open = nextOpen(0);
        if (!isFinal(r) && open >= 0 && open < index) {
            return;
        }
        results[index] = r;
    }
}
