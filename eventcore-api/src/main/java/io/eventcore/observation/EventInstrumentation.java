package io.eventcore.observation;

import io.eventcore.InboundMessage;
import java.util.Map;

/**
 * Observes eventcore's message operations, named after the OpenTelemetry messaging operation types:
 * {@link #create} (an outbox append), {@link #send} (a direct publish), {@link #relay} (the outbox relay
 * sending a stored row) and {@link #process} (the router dispatching one consumed message, retries
 * included). Each returns an {@link Observed} the caller stops once.
 *
 * <p>Trace context travels in the headers: {@code create} and {@code send} return in
 * {@link Observed#propagation()} the headers to write into the row or message, {@code relay} and
 * {@code process} read their parent from the headers given.
 *
 * <p>Every method defaults to {@link Observed#NONE}, so an implementation overrides only what it observes.
 * Implementations are thread-safe and fast; what they throw is logged and dropped ({@link #safe}). Wire one by passing it to the router's, the
 * publisher's, the outbox's and the relay's builders; {@link #noop()} is every builder's default and
 * costs nothing on the dispatch path (the router leaves its observation stage out).
 */
public interface EventInstrumentation {

    /**
     * The router starts processing one message, before decoding; the operation ends with the dispatch's
     * outcome, so it spans every in-place retry.
     *
     * @param message the consumed message; its headers carry the parent context
     * @param eventType the resolved event type, {@code null} when unresolved
     * @return the operation
     */
    default Observed process(InboundMessage message, String eventType) {
        return Observed.NONE;
    }

    /**
     * A message is sent directly (not through the outbox), as a child of the caller's current context.
     *
     * @param destination the topic
     * @param eventType the event type
     * @param headers the message's headers so far (read only)
     * @return the operation; its {@link Observed#propagation()} goes into the message
     */
    default Observed send(String destination, String eventType, Map<String, String> headers) {
        return Observed.NONE;
    }

    /**
     * An event is appended to the outbox in the caller's transaction, as a child of the caller's current
     * context. The propagation headers are stored with the row, so the relay and the consumers continue
     * this trace later, from another thread or process.
     *
     * @param destination the topic override, else the aggregate type
     * @param eventType the event type
     * @return the operation; its {@link Observed#propagation()} goes into the row's headers
     */
    default Observed create(String destination, String eventType) {
        return Observed.NONE;
    }

    /**
     * The relay sends a stored row. The parent is the context stored with the row (from {@link #create});
     * the row's headers are sent unchanged, so consumers continue the same trace.
     *
     * @param destination the topic
     * @param eventType the event type
     * @param stored the headers stored with the row (read only)
     * @return the operation
     */
    default Observed relay(String destination, String eventType, Map<String, String> stored) {
        return Observed.NONE;
    }

    /**
     * Shields processing from a failing instrumentation: an exception it or one of its operations throws is
     * logged and dropped. Every eventcore builder applies it to the instrumentation it is given.
     *
     * @param instrumentation the instrumentation
     * @return it, shielded; {@link #noop()} and an already shielded one as given
     */
    static EventInstrumentation safe(EventInstrumentation instrumentation) {
        java.util.Objects.requireNonNull(instrumentation, "instrumentation");
        return instrumentation == NoopInstrumentation.INSTANCE || instrumentation instanceof SafeInstrumentation
                ? instrumentation : new SafeInstrumentation(instrumentation);
    }

    /** @return instrumentation that observes nothing (every builder's default) */
    static EventInstrumentation noop() {
        return NoopInstrumentation.INSTANCE;
    }
}
