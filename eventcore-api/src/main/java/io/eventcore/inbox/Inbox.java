package io.eventcore.inbox;

import io.eventcore.EventHandler;
import io.eventcore.NonRetryableException;
import io.eventcore.SkipEventException;
import io.eventcore.internal.Checks;
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
            String group = context.message().consumerGroup();
            if (group == null || group.isBlank()) {
                group = defaultGroup;
            }
            if (group == null) {
                throw new NonRetryableException("the inbox needs a consumer group: the message has none and no "
                        + "default group was given (Inbox.of(store, defaultGroup))", null, event.id(), event.type());
            }
            if (!store.processOnce(group, event.id(), tx -> handler.handle(event, context, tx))) {
                duplicates.increment();
                log.debug("event {} ({}) already processed by group {}: skipped", event.id(), event.type(), group);
                throw new SkipEventException("event " + event.id() + " already processed by group " + group);
            }
        };
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
