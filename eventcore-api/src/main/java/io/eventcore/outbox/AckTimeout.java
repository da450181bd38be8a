package io.eventcore.outbox;

import io.eventcore.EventcoreException;
import java.time.Duration;

/** The relay's own verdict on a send whose acknowledgement did not come in time: not the row's fault. */
final class AckTimeout extends EventcoreException {
    private static final long serialVersionUID = 1L;

    AckTimeout(Duration timeout) {
        super("publish not acknowledged within the relay's sendTimeout (" + timeout + ")");
    }
}
