package io.eventcore;

import java.util.concurrent.CompletionStage;

/**
 * Handles one event type asynchronously. The attempt succeeds when the returned stage completes
 * normally and fails when it completes exceptionally, when this method throws, or when the stage
 * does not complete within the route's timeout ({@link HandlerTimeoutException}). Retry and
 * dead-letter rules are those of {@link EventHandler}.
 *
 * <p>Must be thread-safe.
 *
 * @param <T> payload type
 */
@FunctionalInterface
public interface AsyncEventHandler<T> {

    /**
     * @param event the decoded event
     * @param context the delivery context
     * @return a stage completing when the event has been handled; its value, if any, is ignored (a
     *     {@code CompletableFuture<String>} from a client call is fine); never {@code null}
     */
    CompletionStage<?> handle(Event<T> event, EventContext context);
}
