package io.eventcore.spring.boot.docs;

// snippet:handler
import io.eventcore.Event;
import io.eventcore.spring.boot.EventcoreListener;
import org.springframework.stereotype.Component;

@Component
class OrderPlacedHandler {
    private final Billing billing;

    OrderPlacedHandler(Billing billing) {
        this.billing = billing;
    }

    @EventcoreListener                               // the route of "OrderPlaced": the parameter's payload type
    public void onPlaced(Event<OrderPlaced> event) {
        billing.charge(event.id(), event.payload()); // idempotent: delivery is at least once
    }
}
// end:handler
