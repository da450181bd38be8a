package io.eventcore.benchmarks;

import io.eventcore.benchmarks.proto.Line;
import io.eventcore.benchmarks.proto.OrderPlaced;

/** {@link Payloads.OrderPlaced} as its protobuf twin ({@code src/main/proto}): the same values, field for field. */
final class ProtoPayloads {
    private ProtoPayloads() {
    }

    static OrderPlaced of(Payloads.OrderPlaced order) {
        OrderPlaced.Builder b = OrderPlaced.newBuilder()
                .setOrderId(order.orderId())
                .setCustomerId(order.customerId())
                .setCurrency(order.currency())
                .setTotal(order.total().toPlainString())
                .setStreet(order.street())
                .setCity(order.city())
                .setCountry(order.country())
                .setNote(order.note());
        for (Payloads.Line line : order.lines()) {
            b.addLines(Line.newBuilder().setSku(line.sku()).setName(line.name()).setQuantity(line.quantity())
                    .setPrice(line.price().toPlainString()));
        }
        return b.build();
    }
}
