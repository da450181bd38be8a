package io.eventcore.outbox;

import io.eventcore.observation.EventInstrumentation;
import io.eventcore.observation.Observed;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Outbox#observed}: one {@code create} operation per appended event, its trace context stored with the
 * row. Thread-safe as the outbox it wraps.
 */
final class ObservedOutbox<T> implements Outbox<T> {
    private final Outbox<T> outbox;
    private final EventInstrumentation instrumentation;

    ObservedOutbox(Outbox<T> outbox, EventInstrumentation instrumentation) {
        this.outbox = outbox;
        this.instrumentation = instrumentation;
    }

    @Override
    public void append(T transaction, List<OutboxEvent> events) {
        List<Observed> observed = new ArrayList<>(events.size());
        List<OutboxEvent> traced = new ArrayList<>(events.size());
        for (OutboxEvent e : events) {
            Observed o = instrumentation.create(e.topic() != null ? e.topic() : e.aggregateType(), e.eventType());
            observed.add(o);
            traced.add(o.propagation().isEmpty() ? e : e.withHeaders(o.propagation()));
        }
        try {
            outbox.append(transaction, traced);
        } catch (RuntimeException | Error failure) {
            observed.forEach(o -> o.stop("failed", failure));
            throw failure;
        }
        observed.forEach(o -> o.stop("appended", null));
    }

    @Override
    public String toString() {
        return "Outbox.observed(" + outbox + ")";
    }
}
