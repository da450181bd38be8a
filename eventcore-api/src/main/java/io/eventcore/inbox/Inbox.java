package io.eventcore.inbox;

import io.eventcore.BatchContext;
import io.eventcore.BatchFailedException;
import io.eventcore.BatchHandler;
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHandler;
import io.eventcore.NonRetryableException;
import io.eventcore.SkipEventException;
import io.eventcore.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link InboxHandler}s into router handlers that have their effects once per consumer
 * group and event id:
 *
 * <pre>{@code
 * Inbox<Connection> inbox = Inbox.of(jdbcInbox);
 * EventRouter.builder().route(OrderPlaced.class, inbox.handler((event, ctx, connection) -> {
 *     orders.insert(connection, event.payload());                       // business row
 *     outbox.append(connection, OutboxEvent.of("Order", id, new OrderAccepted(id)));   // follow-up
 * }));
 * }</pre>
 *
 * <p>Each delivery runs {@link InboxStore#processOnce} with the message's consumer group (or the
 * {@link #of(InboxStore, String) default group} when the message names none) and
 * {@link io.eventcore.Event#id()}. A duplicate is acknowledged as
 * {@link io.eventcore.routing.DispatchOutcome#SKIPPED} without running the handler (counted in
 * {@link #duplicatesSkipped()}, logged at DEBUG). A failure rolls the transaction back, inbox
 * record included, and the router's retry and dead-letter policies apply as usual.
 *
 * <p>Thread-safe.
 *
 * @param <X> the store's transaction resource
 */
public final class Inbox<X> {
    private static final Logger log = LoggerFactory.getLogger(Inbox.class);

    private final InboxStore<X> store;
    private final String defaultGroup;
    private final LongAdder duplicates = new LongAdder();

    private Inbox(InboxStore<X> store, String defaultGroup) {
        this.store = Objects.requireNonNull(store, "store");
        this.defaultGroup = defaultGroup;
    }

    /**
     * @param store the store
     * @param <X> its transaction resource
     * @return an inbox keyed on each message's consumer group
     */
    public static <X> Inbox<X> of(InboxStore<X> store) {
        return new Inbox<>(store, null);
    }

    /**
     * @param store the store
     * @param defaultGroup the group to record when a message names none (a router used without a
     *        Kafka consumer), not blank
     * @param <X> its transaction resource
     * @return the inbox
     */
    public static <X> Inbox<X> of(InboxStore<X> store, String defaultGroup) {
        return new Inbox<>(store, Checks.notBlank("defaultGroup", defaultGroup));
    }

    /**
     * @param handler the effects of one event
     * @param <T> payload type
     * @return a handler for {@code EventRouter.Builder.route}
     */
    public <T> EventHandler<T> handler(InboxHandler<T, X> handler) {
        Objects.requireNonNull(handler, "handler");
        return (event, context) -> {
            String group = group(context, event);
            if (!store.processOnce(group, event.id(), tx -> handler.handle(event, context, tx))) {
                duplicates.increment();
                log.debug("event {} ({}) already processed by group {}: skipped", event.id(), event.type(), group);
                throw new SkipEventException("event " + event.id() + " already processed by group " + group);
            }
        };
    }

    /**
     * A batch handler whose batch has its effects once: the new events of the batch are recorded and handled in
     * one transaction ({@link InboxStore#processBatchOnce}); duplicates are left out of the list the handler gets
     * (and counted in {@link #duplicatesSkipped()}); the handler is not called when every event is a duplicate.
     * Any failure rolls the whole transaction back, so it fails the whole batch, even a
     * {@link BatchFailedException} naming an event: the router then handles each event alone, one transaction per
     * event, and a poison event is dead-lettered without blocking its neighbours. A batch of one duplicate is
     * {@link io.eventcore.routing.DispatchOutcome#SKIPPED}; duplicates among others are acknowledged with them.
     *
     * @param handler the effects of the batch's new events
     * @param <T> payload type
     * @return a handler for {@code EventRouter.Builder.routeBatch}
     */
    public <T> BatchHandler<T> batchHandler(InboxBatchHandler<T, X> handler) {
        Objects.requireNonNull(handler, "handler");
        return (events, context) -> {
            String group = group(context.context(0), events.get(0));
            List<String> ids = new ArrayList<>(events.size());
            events.forEach(e -> ids.add(e.id()));
            int fresh;
            try {
                fresh = store.processBatchOnce(group, ids, (positions, tx) -> {
                    List<Event<T>> chosen = new ArrayList<>(positions.size());
                    List<EventContext> contexts = new ArrayList<>(positions.size());
                    positions.forEach(i -> {
                        chosen.add(events.get(i));
                        contexts.add(context.context(i));
                    });
                    handler.handle(List.copyOf(chosen), new BatchContext(contexts), tx);
                });
            } catch (BatchFailedException named) {
                throw named.getCause() instanceof Exception e ? e : named; // rolled back: the whole batch failed
            }
            if (fresh < events.size()) {
                duplicates.add(events.size() - fresh);
                if (events.size() == 1) {
                    throw new SkipEventException("event " + events.get(0).id() + " already processed by group " + group);
                }
            }
        };
    }

    private String group(EventContext context, Event<?> event) {
        String group = context.message().consumerGroup();
        if (group == null || group.isBlank()) {
            group = defaultGroup;
        }
        if (group == null) {
            throw new NonRetryableException("the inbox needs a consumer group: the message has none and no "
                    + "default group was given (Inbox.of(store, defaultGroup))", null, event.id(), event.type());
        }
        return group;
    }

    /** @return how many deliveries were skipped as duplicates since this inbox was made */
    public long duplicatesSkipped() {
        return duplicates.sum();
    }

    /** @return the store */
    public InboxStore<X> store() {
        return store;
    }
}
