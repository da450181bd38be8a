package io.eventcore.transport;

import io.eventcore.EventcoreException;

/**
 * Another holder opened the same transactional stream id: this holder's transaction was aborted and it may
 * not commit again. The outbox relay then gives the shard up, as it does when the store's fence rejects it.
 */
public class TransactionFencedException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param streamId the stream that was fenced
     * @param cause the transport's exception, may be {@code null}
     */
    public TransactionFencedException(String streamId, Throwable cause) {
        super("transactional stream " + streamId + " was fenced: another holder opened it", cause);
    }
}
