package io.eventcore;

import java.util.List;
import java.util.Objects;

/**
 * Thrown by a {@link BatchHandler} to name the first event of its batch that failed: the events before it are done,
 * it fails its attempt with {@link #getCause() the cause} (retried, skipped or dead-lettered by the route's
 * policies), and the events after it are handled afterwards, in order. Name the event by its position or by the
 * event itself. A cause that is a {@link SkipEventException} skips the event; an {@link Error} is fatal.
 */
public class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failed event's position, or -1 when the event itself was named. */
    private final int index;
    private final transient Event<?> event;

    /**
     * @param index the position of the first failed event in the batch, &ge; 0
     * @param cause why it failed, not {@code null}
     * @throws IllegalArgumentException if {@code index} is negative
     */
    public BatchFailedException(int index, Throwable cause) {
        super("event " + index + " of the batch failed: " + cause, Objects.requireNonNull(cause, "cause"));
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, but was " + index);
        }
        this.index = index;
        this.event = null;
    }

    /**
     * @param failed the first failed event, one of the batch's (the same instance)
     * @param cause why it failed, not {@code null}
     */
    public BatchFailedException(Event<?> failed, Throwable cause) {
        super("event " + Objects.requireNonNull(failed, "failed").id() + " of the batch failed: " + cause,
                Objects.requireNonNull(cause, "cause"));
        this.index = -1;
        this.event = failed;
    }

    /**
     * @param events the batch the handler was given
     * @return the failed event's position in it, or -1 when the named event is not one of them
     */
    public int indexIn(List<? extends Event<?>> events) {
        if (event == null) {
            return index < events.size() ? index : -1;
        }
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == event) {
                return i;
            }
        }
        return -1;
    }
}
