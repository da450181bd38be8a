package io.eventcore.spring.boot.docs;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.spring.boot.EventcoreHandler;
import org.springframework.stereotype.Component;

// snippet:handler
@Component
class OrderPlacedHandler implements EventcoreHandler<OrderPlaced> {
    private final Billing billing;

    OrderPlacedHandler(Billing billing) {
        this.billing = billing;
    }

    @Override
    public Class<OrderPlaced> payloadType() {
        return OrderPlaced.class;                    // also names the route: event type "OrderPlaced"
    }

    @Override
    public void handle(Event<OrderPlaced> event, EventContext context) {
        billing.charge(event.id(), event.payload()); // idempotent: delivery is at least once
    }
}
// end:handler
