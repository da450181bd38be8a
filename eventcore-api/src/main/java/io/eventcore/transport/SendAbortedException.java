package io.eventcore.transport;

import io.eventcore.EventcoreException;

/**
 * A send of a {@link PublishTransaction} that failed only because another send of the same transaction failed
 * first (the transaction can no longer commit): not the message's own fault. Transports complete such sends with
 * it, so that the outbox relay charges an attempt only to the message whose failure aborted the transaction.
 */
public class SendAbortedException extends EventcoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param cause what the transport reported for this send, may be {@code null}
     */
    public SendAbortedException(Throwable cause) {
        super("not sent: an earlier send of its transaction failed" + (cause == null ? "" : " (" + cause + ")"),
                cause);
    }
}
