package io.eventcore.test;

import org.awaitility.Awaitility;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A handler that records every event it receives, so tests can await them with a deadline.
 * Register it as a route's handler, or call {@link #handle(Event, EventContext)} from your own.
 *
 * <pre>{@code
 * EventCollector<OrderCreated> created = new EventCollector<>();
 * EventRouter router = EventRouter.builder().route(OrderCreated.class, created).build();
 * ...
 * created.awaitCount(3, Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @param <T> payload type
 */
public final class EventCollector<T> implements EventHandler<T> {
    private final ConcurrentLinkedQueue<Event<T>> events = new ConcurrentLinkedQueue<>();

    @Override
    public void handle(Event<T> event, EventContext context) {
        events.add(event);
    }

    /** @return the events received so far, in arrival order */
    public List<Event<T>> events() {
        return List.copyOf(events);
    }

    /** @return the payloads received so far, in arrival order */
    public List<T> payloads() {
        return events.stream().map(Event::payload).toList();
    }

    /** @return how many events arrived */
    public int count() {
        return events.size();
    }

    /** @return ids that arrived more than once, with their counts */
    public Map<String, Long> duplicateIds() {
        Map<String, Long> counts = events.stream().collect(Collectors.groupingBy(Event::id, HashMap::new,
                Collectors.counting()));
        counts.values().removeIf(c -> c < 2);
        return counts;
    }

    /**
     * Waits until at least {@code count} events have arrived.
     *
     * @param count how many
     * @param timeout how long to wait
     * @return the events
     * @throws org.awaitility.core.ConditionTimeoutException on timeout, saying how many arrived
     */
    public List<Event<T>> awaitCount(int count, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            if (events.size() < count) {
                throw new AssertionError("expected " + count + " events, got " + events.size());
            }
        });
        return events();
    }

    /**
     * Waits until an event matching {@code predicate} has arrived.
     *
     * @param predicate what to wait for
     * @param timeout how long to wait
     * @return the first matching event
     * @throws org.awaitility.core.ConditionTimeoutException on timeout
     */
    public Event<T> awaitEvent(Predicate<Event<T>> predicate, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            if (events.stream().noneMatch(predicate)) {
                throw new AssertionError("no matching event among " + events.size() + " received");
            }
        });
        return events.stream().filter(predicate).findFirst().orElseThrow();
    }

    /** Forgets everything received. */
    public void clear() {
        events.clear();
    }
}
