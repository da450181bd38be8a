package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.EventType;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code routesFor(sealed type)}: a permitted subtype without a route fails the build, naming it. */
class SealedRoutingTest {
    sealed interface OrderEvent permits OrderPlaced, OrderCancelled, Shipment {
    }

    record OrderPlaced(String orderId) implements OrderEvent {
    }

    @EventType("order.cancelled")
    record OrderCancelled(String orderId, String reason) implements OrderEvent {
    }

    /** A nested sealed family: its subtypes count, the interface itself does not. */
    sealed interface Shipment extends OrderEvent permits Shipped, Delivered {
    }

    record Shipped(String orderId) implements Shipment {
    }

    record Delivered(String orderId) implements Shipment {
    }

    private static EventRouter.Builder allButDelivered(List<Object> seen) {
        return EventRouter.builder().executor(Runnable::run).deadLetter(new InMemoryDeadLetterSink())
                .routesFor(OrderEvent.class)
                .route(OrderPlaced.class, (e, c) -> seen.add(e.payload()))
                .route(OrderCancelled.class, (e, c) -> seen.add(e.payload()))
                .route(Shipped.class, (e, c) -> seen.add(e.payload()));
    }

    @Test
    void everyPermittedSubtypeRouted_builds_andRoutesByTheSubtypesNames() {
        List<Object> seen = new ArrayList<>();
        try (EventRouter router = allButDelivered(seen).route(Delivered.class, (e, c) -> seen.add(e.payload())).build()) {
            assertThat(router.eventTypes()).containsExactlyInAnyOrder("OrderPlaced", "order.cancelled", "Shipped", "Delivered");
            var result = router.dispatch(EventRouterTest.message("order.cancelled", "o-1",
                    "{\"orderId\":\"o-1\",\"reason\":\"fraud\"}", 1)).toCompletableFuture().join();
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(seen).containsExactly(new OrderCancelled("o-1", "fraud"));
        }
    }

    @Test
    void aMissingSubtype_deepInANestedSealedType_failsTheBuild_namingIt() {
        assertThatThrownBy(() -> allButDelivered(new ArrayList<>()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("routesFor(OrderEvent)")
                .hasMessageContaining("no route for 1 of its event types: Delivered (" + Delivered.class.getName() + ")")
                .message().doesNotContain("Shipment (");
    }

    @Test
    void everyMissingSubtype_isListed() {
        EventRouter.Builder b = EventRouter.builder().routesFor(OrderEvent.class)
                .route(OrderPlaced.class, (e, c) -> { });
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no route for 3 of its event types: order.cancelled (")
                .hasMessageContaining("Shipped (").hasMessageContaining("Delivered (");
    }

    @Test
    void aRouteOfTheRightNameDecodingIntoAnUnrelatedClass_doesNotCoverTheSubtype() {
        record Unrelated(String orderId) {
        }
        EventRouter.Builder b = allButDelivered(new ArrayList<>()).route("Delivered", Unrelated.class, (e, c) -> { });
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("its route decodes into " + Unrelated.class.getName());
    }

    @Test
    void aRawRouteOfTheName_coversTheSubtype() {
        try (EventRouter router = allButDelivered(new ArrayList<>()).routeRaw("Delivered", (m, c) -> { }).build()) {
            assertThat(router.eventTypes()).contains("Delivered");
        }
    }

    sealed interface Clashing permits First, Second {
    }

    @EventType("Same")
    record First(String id) implements Clashing {
    }

    @EventType("Same")
    record Second(String id) implements Clashing {
    }

    @Test
    void twoSubtypesWithOneTypeName_areRejected() {
        EventRouter.Builder b = EventRouter.builder().routesFor(Clashing.class).route(First.class, (e, c) -> { });
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(First.class.getName()).hasMessageContaining(Second.class.getName())
                .hasMessageContaining("share the event type name 'Same'");
    }

    @Test
    void aTypeThatIsNotSealed_isRejectedAtOnce() {
        assertThatThrownBy(() -> EventRouter.builder().routesFor(OrderPlaced.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("routesFor(" + OrderPlaced.class.getName() + "): not a sealed type");
    }
}
