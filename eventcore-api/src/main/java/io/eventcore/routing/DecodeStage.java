package io.eventcore.routing;

import io.eventcore.Clock;
import io.eventcore.Event;
import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.codec.DecodeException;
import io.eventcore.codec.EventCodec;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns the raw message into the route's typed {@link Event}, or ends the dispatch: an unroutable
 * message follows the {@link UnknownTypePolicy}, and a payload that does not decode is a permanent
 * failure handed straight to the dead-letter stage (it never reaches the retry stage). A raw route
 * passes through undecoded.
 */
final class DecodeStage implements Stage {
    private final EventCodec codec;
    private final Clock clock;
    private final UnknownTypePolicy unknownType;
    private final SkipLog skipLog = new SkipLog();

    DecodeStage(EventCodec codec, Clock clock, UnknownTypePolicy unknownType) {
        this.codec = codec;
        this.clock = clock;
        this.unknownType = unknownType;
    }

    @Override
    public CompletionStage<StageResult> apply(Exchange exchange, Next next) {
        Route<?> route = exchange.route();
        if (route == null) {
            return CompletableFuture.completedFuture(unroutable(exchange));
        }
        if (route.raw != null) {
            return next.proceed(exchange); // a raw route's handler gets the message as it is
        }
        Event<?> event;
        try {
            event = toEvent(route, exchange);
        } catch (DecodeException e) {
            if (exchange.slot() != null) {
                // Not dead-lettered ahead of the batch's earlier events: dispatched alone once they are settled.
                return StageResult.done(BatchCall.NOT_ATTEMPTED).stage();
            }
            Instant now = clock.now();
            return CompletableFuture.completedFuture(StageResult.gaveUp(e, 0, now, now));
        }
        return next.proceed(exchange.withEvent(event));
    }

    private StageResult unroutable(Exchange x) {
        String type = x.type();
        UnknownEventTypeException failure = new UnknownEventTypeException(type == null
                ? "no event type in header '" + EventHeaders.EVENT_TYPE + "' or JSON field"
                : "no route for event type '" + type + "'", x.eventId(), type);
        switch (unknownType) {
            case SKIP:
                skipLog.skipped(x.message(), failure.getMessage());
                return StageResult.done(DispatchResult.skipped(failure));
            case FAIL:
                return StageResult.done(DispatchResult.failed(0, failure));
            default:
                Instant now = clock.now();
                return StageResult.gaveUp(failure, 0, now, now);
        }
    }

    private <T> Event<T> toEvent(Route<T> route, Exchange x) {
        InboundMessage message = x.message();
        T payload = codec.decodeMessage(message, route.payloadClass, route.type);
        Instant occurredAt = IsoInstants.parse(message.rawHeader(EventHeaders.PRODUCED_AT));
        if (occurredAt == null) {
            occurredAt = message.timestamp() != null ? message.timestamp() : clock.now();
        }
        // The header view decodes nothing until the handler reads a header.
        return new Event<>(x.eventId(), route.type, message.keyAsString(), occurredAt, message.headerView(), payload);
    }
}
