package io.eventcore.outbox;

import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionFencedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One group of a relay round (a leased shard, or the unkeyed claim) in flight: its sends and, in a transaction,
 * the shard's stream, the transaction, the rows the broker already had (settled as published without a send) and
 * how the transaction ended. Used by the relay's thread.
 */
final class GroupSend {
    /** A row in flight; {@code unsendable} when its message could not even be built. */
    record Sent(OutboxRecord row, CompletableFuture<PublishReceipt> result, boolean unsendable) {
    }

    /** How a group's transaction went: none, open, committed, aborted, fenced, or never begun. */
    enum TxState { NONE, OPEN, COMMITTED, ABORTED, FENCED, UNOPENED }

    final List<Sent> sends = new ArrayList<>();
    final List<OutboxRecord> known = new ArrayList<>();
    List<OutboxRecord> rows = List.of();
    ShardStreams.ShardStream stream;
    PublishTransaction tx;
    CompletableFuture<Void> commit;
    TxState state = TxState.NONE;
    Throwable txFailure;

    /**
     * Ends an open transaction: starts its commit when every send went through, with the ids it published (and
     * those the broker has from earlier, not yet settled) as the position; aborts it otherwise.
     */
    void end(Map<Sent, Throwable> failures) {
        if (tx == null) {
            return;
        }
        Throwable failed = sends.stream().map(failures::get).filter(Objects::nonNull).findFirst().orElse(null);
        if (failed != null) {
            tx.abort();
            Throwable fencedBy = sends.stream().map(failures::get)
                    .filter(f -> f instanceof TransactionFencedException).findFirst().orElse(null);
            state = fencedBy != null ? TxState.FENCED : TxState.ABORTED;
            txFailure = fencedBy != null ? fencedBy : failed;
            return;
        }
        TreeMap<Long, String> position = new TreeMap<>(stream.unsettled);
        sends.forEach(s -> position.put(s.row().id(), RelayPosition.tag(s.row().eventId())));
        try {
            commit = tx.commit(RelayPosition.encode(stream.fence, position)).toCompletableFuture();
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Awaits the commit {@link #end} started (renewing the leases meanwhile). A commit that fails or does not end by
     * the deadline closes the stream: the next pass opens it again and learns from its position what the broker has.
     */
    void awaitEnd(Pacer pacer, long deadlineNanos, Function<CompletableFuture<?>, Throwable> outcome,
            ShardStreams streams) {
        if (commit == null) {
            return;
        }
        pacer.await(commit, deadlineNanos);
        Throwable failure = outcome.apply(commit);
        if (failure == null) {
            state = TxState.COMMITTED;
            stream.committed(sends.stream().map(Sent::row).toList());
        } else if (failure instanceof TransactionFencedException) {
            state = TxState.FENCED;
            txFailure = failure;
        } else {
            state = TxState.ABORTED;
            txFailure = failure;
            streams.close(stream.shard);
        }
    }

    /**
     * After a transaction that aborted: its stream is closed (an abort can leave a producer unusable, a timed-out one
     * for instance), so the next pass opens it afresh and reads the position again.
     */
    void closeIfAborted(ShardStreams streams) {
        if (stream != null && (state == TxState.ABORTED || state == TxState.FENCED)) {
            streams.close(stream.shard);
        }
    }
}
