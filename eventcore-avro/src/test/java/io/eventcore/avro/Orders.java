package io.eventcore.avro;

import java.util.List;

/** Sample order events in each schema version; the same seed gives equal records. */
final class Orders {
    private Orders() {
    }

    static io.eventcore.avro.test.v1.OrderPlaced v1(int seed) {
        return io.eventcore.avro.test.v1.OrderPlaced.newBuilder()
                .setOrderId("o-" + seed)
                .setCustomerId("c-" + (seed % 7))
                .setAmountCents(1_000L + seed)
                .setItemCount(seed % 5 + 1)
                .setStatus(io.eventcore.avro.test.v1.OrderStatus.PAID)
                .setChannel(io.eventcore.avro.test.v1.Channel.WEB)
                .setLines(List.of(new io.eventcore.avro.test.v1.OrderLine("sku-" + seed, seed % 3 + 1)))
                .setNote(seed % 2 == 0 ? null : "leave at the door " + seed)
                .build();
    }

    static io.eventcore.avro.test.v2.OrderPlaced v2(int seed) {
        return io.eventcore.avro.test.v2.OrderPlaced.newBuilder()
                .setOrderId("o-" + seed)
                .setCustomerId("c-" + (seed % 7))
                .setAmountCents(1_000L + seed)
                .setItemCount(seed % 5 + 1)
                .setStatus(io.eventcore.avro.test.v2.OrderStatus.PAID)
                .setChannel(io.eventcore.avro.test.v2.Channel.STORE)
                .setLines(List.of(new io.eventcore.avro.test.v2.OrderLine("sku-" + seed, seed % 3 + 1)))
                .setCurrency("CHF")
                .build();
    }

    /** @return a store with every order schema version */
    static InMemoryAvroSchemaStore allVersions() {
        return AvroSchemaStore.inMemory(io.eventcore.avro.test.v1.OrderPlaced.getClassSchema(),
                io.eventcore.avro.test.v2.OrderPlaced.getClassSchema(),
                io.eventcore.avro.test.v3.OrderPlaced.getClassSchema(),
                io.eventcore.avro.test.v4.OrderPlaced.getClassSchema());
    }
}
