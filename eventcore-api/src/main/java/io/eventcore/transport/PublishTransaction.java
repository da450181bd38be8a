package io.eventcore.transport;

import java.util.concurrent.CompletionStage;

/**
 * One open transaction of a {@link TransactionalStream}. Messages sent through it become visible to
 * committed-only readers when {@link #commit} succeeds, and never if it fails or {@link #abort} is called.
 * Within one key the order of {@link #send} calls is kept. Used by one thread at a time, except that the
 * stages it returns may complete on the transport's threads.
 */
public interface PublishTransaction {

    /**
     * Sends one message in this transaction. The stage completes when the broker has stored it (not yet
     * visible to committed-only readers), or exceptionally; a failed send makes the commit fail.
     *
     * @param message the message
     * @return the receipt, or the failure of this message
     */
    CompletionStage<PublishReceipt> send(OutboundMessage message);

    /**
     * Commits every message sent and stores {@code position} with them, atomically. When it fails, nothing of
     * the transaction is visible and the stream's position is unchanged.
     *
     * @param position what to store with the transaction, at most {@link Transactions#maxPositionLength()}
     *        chars; {@code null} leaves the stream's position as it is
     * @return completes when committed; exceptionally with {@link TransactionFencedException} if another holder
     *         opened the stream id meanwhile, or with the transport's failure (the transaction is then aborted)
     */
    CompletionStage<Void> commit(String position);

    /** Aborts the transaction: nothing sent in it becomes visible. Never throws. */
    void abort();
}
