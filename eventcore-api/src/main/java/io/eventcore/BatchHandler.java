package io.eventcore;

import java.util.List;

/**
 * Handles a batch of events of one type in one call: consecutive events of one partition (or, in {@code KEY}
 * ordering, of one key), in their order, bounded by the route's {@link io.eventcore.routing.RouteOptions#maxBatchSize
 * size} and {@link io.eventcore.routing.RouteOptions#maxBatchBytes bytes}. Registered with
 * {@link io.eventcore.routing.EventRouter.Builder#routeBatch(Class, BatchHandler)}.
 *
 * <p>Returning normally means every event of the batch succeeded. To say which event failed, throw a
 * {@link BatchFailedException} naming it: the events before it are done, it is retried (alone) and dead-lettered
 * by the route's policies like any event, and the events after it are handled afterwards, in order, in new
 * batches. Any other {@link Exception} fails the whole batch without blaming an event: each event of the batch is
 * then handled again alone, in order, with its own attempt count starting at 1, so a poison event reaches the dead
 * letter without taking its neighbours with it. An {@link Error} is fatal, as for {@link EventHandler}.
 *
 * <p>Retries and the single-event fallback call the same handler with a list of one event. Per-event concerns keep
 * their meaning: decoding (an undecodable event is dead-lettered in its turn, after the events before it), metrics,
 * tracing, dead letters and their headers. User middleware wraps attempts of one event (retries, the fallback), not
 * a batch call; the route's timeout does not bound a batch call (synchronous handlers are not interrupted). An
 * exactly-once Kafka consumer calls batch routes with one event per call, so that what a call sends commits with
 * exactly its record's offset.
 *
 * <p>The same instance may be called from many threads at once (for different partitions or keys); it must be
 * thread-safe. Delivery is at least once.
 *
 * @param <T> payload type
 */
@FunctionalInterface
public interface BatchHandler<T> {

    /**
     * @param events the decoded events, in order; never empty; unmodifiable
     * @param context the batch's delivery context (each event's message and attempt, the handler name)
     * @throws BatchFailedException to name the first event that failed
     * @throws Exception to fail the whole batch
     */
    void handle(List<Event<T>> events, BatchContext context) throws Exception;
}
