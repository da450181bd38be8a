package io.eventcore.routing;

import io.eventcore.BatchContext;
import io.eventcore.BatchFailedException;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.internal.HandlerAttempt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One call of a {@link io.eventcore.BatchHandler}. Each event of the batch is dispatched through the router's whole
 * chain as usual (observation, dead letter, decode, retry); at the retry stage its first attempt, instead of going
 * on to timeout, middleware and handler, {@link Slot#arrive arrives} here and waits. Once every event has arrived or
 * its dispatch has ended without arriving (an undecodable one ends {@linkplain #NOT_ATTEMPTED not attempted}, to be
 * dispatched alone in its turn), {@link #call} calls the handler
 * once with the longest run of arrived events from the first, and answers each waiting attempt:
 * <ul>
 *   <li>success: every attempt succeeded;
 *   <li>a {@link BatchFailedException} naming event {@code i}: the attempts before it succeeded, its attempt failed
 *       with the cause (the retry stage retries it alone, charged), the later ones were {@linkplain #NOT_ATTEMPTED
 *       not attempted};
 *   <li>any other exception: no attempt is charged, every event was not attempted and is then dispatched alone
 *       ({@link #call} says up to where);
 *   <li>an {@link Error}: the first event's attempt failed with it (fatal), the others were not attempted.
 * </ul>
 * An event not attempted ends its dispatch with {@link #NOT_ATTEMPTED}; {@link BatchDispatch} dispatches it again.
 *
 * <p>What the handler sends during the call belongs to one {@link HandlerAttempt} of the last event's message; a
 * failed call marks it failed. (An exactly-once Kafka consumer, which holds output per record, never groups records
 * into a batch call.)
 */
final class BatchCall {
    private static final Logger log = LoggerFactory.getLogger(BatchCall.class);

    /** The outcome of a dispatch whose event was not attempted: it is dispatched again. */
    static final DispatchResult NOT_ATTEMPTED = DispatchResult.failed(0, new NotAttempted());

    /** Why an event was not attempted: an earlier event of its batch failed. Not an error; no stack trace. */
    static final class NotAttempted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAttempted() {
            super("not attempted: an earlier event of its batch failed", null, false, false);
        }
    }

    /** @return whether {@code t} or a cause of it says the event was not attempted */
    static boolean notAttempted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NotAttempted) {
                return true;
            }
        }
        return false;
    }

    /** One event's place in the call. Guarded by the call. */
    final class Slot {
        private Exchange arrived;
        private CompletableFuture<StageResult> attempt;
        private boolean ended;

        /**
         * The event's first attempt reached the handler stage.
         *
         * @return the attempt's outcome, once the call has been made; {@code null} to attempt it alone (too late)
         */
        CompletableFuture<StageResult> arrive(Exchange exchange) {
            synchronized (BatchCall.this) {
                if (sealed || ended) {
                    return null;
                }
                arrived = exchange;
                attempt = new CompletableFuture<>();
                countDown();
                return attempt;
            }
        }

        /** The event's dispatch ended; it counts as gone unless it had arrived. */
        void ended() {
            synchronized (BatchCall.this) {
                if (arrived == null && !ended) {
                    ended = true;
                    countDown();
                }
            }
        }
    }

    private final Route<?> route;
    private final EventMetrics metrics;
    private final List<Slot> slots;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private int waiting;
    private boolean sealed;

    BatchCall(Route<?> route, EventMetrics metrics, int size) {
        this.route = route;
        this.metrics = metrics;
        this.slots = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            slots.add(new Slot());
        }
        this.waiting = size;
    }

    Slot slot(int index) {
        return slots.get(index);
    }

    /** @return completes once every event has arrived or ended */
    CompletableFuture<Void> ready() {
        return ready;
    }

    private void countDown() {
        if (--waiting == 0) {
            ready.complete(null);
        }
    }

    /**
     * Calls the handler with the arrived run and answers every arrived attempt; calls nobody unless {@code owned}.
     *
     * @return how many events from the first the call covered when it failed as a whole (they are to be handled
     *     alone), else 0
     */
    int call(BooleanSupplier owned) {
        List<Slot> members = new ArrayList<>();
        synchronized (this) {
            sealed = true;
            for (Slot s : slots) {
                if (s.arrived == null) {
                    break;
                }
                members.add(s);
            }
        }
        if (!owned.getAsBoolean()) {
            members.clear(); // no longer ours: nobody is called, the arrived ones were not attempted
        }
        for (int i = members.size(); i < slots.size(); i++) {
            if (slots.get(i).attempt != null) {
                slots.get(i).attempt.complete(StageResult.attemptFailed(NOT_ATTEMPTED.failure().orElseThrow()));
            }
        }
        if (members.isEmpty()) {
            return 0;
        }
        List<Event<?>> events = new ArrayList<>(members.size());
        List<EventContext> contexts = new ArrayList<>(members.size());
        for (Slot s : members) {
            events.add(s.arrived.event());
            contexts.add(s.arrived.context());
        }
        Throwable failure = invoke(members, List.copyOf(events), contexts);
        if (failure == null) {
            members.forEach(s -> s.attempt.complete(StageResult.ATTEMPT_SUCCEEDED));
            return 0;
        }
        return answerFailure(members, events, failure);
    }

    private Throwable invoke(List<Slot> members, List<Event<?>> events, List<EventContext> contexts) {
        Exchange last = members.get(members.size() - 1).arrived;
        HandlerAttempt outer = HandlerAttempt.current();
        HandlerAttempt attempt = HandlerAttempt.enter(last.message());
        MDC.put(HandlerStage.MDC_EVENT_TYPE, route.type);
        MDC.put(HandlerStage.MDC_TOPIC, last.message().topic());
        MDC.put(HandlerStage.MDC_PARTITION, Integer.toString(last.message().partition()));
        long start = System.nanoTime();
        Throwable failure = null;
        try {
            route.invokeBatch(events, new BatchContext(contexts));
        } catch (Throwable t) {
            failure = t;
            attempt.fail();
        } finally {
            HandlerAttempt.restore(outer);
            MDC.remove(HandlerStage.MDC_EVENT_TYPE);
            MDC.remove(HandlerStage.MDC_TOPIC);
            MDC.remove(HandlerStage.MDC_PARTITION);
        }
        if (metrics != EventMetrics.noop()) {
            Duration each = Duration.ofNanos((System.nanoTime() - start) / members.size());
            for (int i = 0; i < members.size(); i++) {
                metrics.handlerAttempt(route.type, route.name, each, failure == null);
            }
        }
        return failure;
    }

    private int answerFailure(List<Slot> members, List<Event<?>> events, Throwable failure) {
        int index = -1;
        Throwable cause = failure;
        if (failure instanceof BatchFailedException named) {
            index = named.indexIn(events);
            cause = named.getCause();
            if (index < 0) {
                log.warn("handler {} named an event that is not in its batch of {}: the batch failed as a whole",
                        route.name, members.size());
            }
        }
        if (index < 0 && cause instanceof Error) {
            index = 0;
        }
        if (index >= 0) {
            for (int i = 0; i < members.size(); i++) {
                members.get(i).attempt.complete(i < index ? StageResult.ATTEMPT_SUCCEEDED
                        : i == index ? StageResult.attemptFailed(cause)
                        : StageResult.attemptFailed(NOT_ATTEMPTED.failure().orElseThrow()));
            }
            return 0;
        }
        log.warn("handler {} failed a batch of {} {} events as a whole: {}; handling each of them alone", route.name,
                members.size(), route.type, cause.toString());
        members.forEach(s -> s.attempt.complete(StageResult.attemptFailed(NOT_ATTEMPTED.failure().orElseThrow())));
        return members.size();
    }
}
