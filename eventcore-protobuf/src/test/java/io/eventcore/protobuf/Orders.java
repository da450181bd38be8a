package io.eventcore.protobuf;

import io.eventcore.protobuf.test.v1.OrderCancelled;
import io.eventcore.protobuf.test.v1.OrderLine;
import io.eventcore.protobuf.test.v1.OrderPlaced;
import io.eventcore.protobuf.test.v1.Status;

/** Sample v1 order events for the tests. */
final class Orders {
    private Orders() {
    }

    /** @return an order whose fields all depend on {@code seed} */
    static OrderPlaced placed(int seed) {
        OrderPlaced.Builder b = OrderPlaced.newBuilder()
                .setOrderId("order-" + seed)
                .setCustomerId("customer-" + (seed * 31))
                .setTotalCents(1_000L + seed)
                .setStatus(seed % 2 == 0 ? Status.STATUS_NEW : Status.STATUS_PAID);
        for (int i = 0; i <= seed % 3; i++) {
            b.addLines(OrderLine.newBuilder().setSku("SKU-" + seed + "-" + i).setQuantity(i + 1));
        }
        return b.build();
    }

    static OrderCancelled cancelled(int seed) {
        return OrderCancelled.newBuilder().setOrderId("order-" + seed).setReason("customer asked").build();
    }
}
