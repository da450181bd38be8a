package io.eventcore.transport;

/**
 * The optional capability of an {@link EventPublisher} to publish in atomic transactions, each committed
 * together with a <em>position</em>: a short string the caller stores with the transaction and reads back
 * after a restart or a take-over. Returned by {@link EventPublisher#transactions()}, like the outbox store's
 * optional capabilities; a transport without transactions returns {@link java.util.Optional#empty()}.
 *
 * <p>Work is organised in {@link TransactionalStream streams}, each named by a stable id. Opening a stream
 * fences every earlier holder of the same id, in this process or another: its open transaction is aborted and
 * its later commits fail with {@link TransactionFencedException}. The outbox relay opens one stream per shard
 * it leases (id {@code <outbox name>-<shard>}), so a relay that lost its lease is fenced by the broker as well
 * as by the store; the position it commits is the set of rows the transaction published.
 *
 * <p>Readers: a transaction's messages become visible to committed-only readers (Kafka's
 * {@code isolation.level=read_committed}, eventcore's consumer default) all at once on commit, and never
 * if it aborts. Readers of uncommitted data see aborted messages too.
 *
 * <p>Implementations are thread-safe; each stream is used by one thread at a time.
 */
public interface Transactions {

    /**
     * Opens a stream, fencing any earlier holder of {@code streamId}, and reads the position last committed
     * on it. Blocks until the transport has done both.
     *
     * @param streamId a stable id, not blank; the transport may prefix it (Kafka: the transactional id prefix)
     * @return the open stream
     * @throws io.eventcore.EventcoreException if the broker cannot be reached or refuses transactions; the
     *         message says why
     */
    TransactionalStream open(String streamId);

    /** @return the longest position (in UTF-16 chars) {@link PublishTransaction#commit} accepts */
    int maxPositionLength();
}
