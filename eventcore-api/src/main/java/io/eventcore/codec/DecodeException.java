package io.eventcore.codec;

import io.eventcore.NonRetryableException;

/**
 * Raised when the bytes of a message cannot be turned into an event payload: not JSON, wrong
 * field types, over the parser limits, or no event type at all.
 *
 * <p>A decode failure is permanent: it is never retried, and the router dead-letters the message
 * with its original bytes. The bytes are also kept here ({@link #rawBytes()}) for diagnostics.
 */
public class DecodeException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    private final transient byte[] rawBytes;

    /**
     * @param message what could not be decoded and why
     * @param cause the parser's exception, may be {@code null}
     * @param rawBytes the undecodable bytes, may be {@code null} (a null record value)
     * @param eventType the event type being decoded, may be {@code null}
     */
    public DecodeException(String message, Throwable cause, byte[] rawBytes, String eventType) {
        super(message, cause, null, eventType);
        this.rawBytes = rawBytes == null ? null : rawBytes.clone();
    }

    /** @return a copy of the bytes that failed to decode, or {@code null} for a null value */
    public byte[] rawBytes() {
        return rawBytes == null ? null : rawBytes.clone();
    }
}
