package io.eventcore.test;

import io.eventcore.codec.EventCodec;
import java.time.Instant;
import java.util.List;

/** The codec contract for the strict JSON codec. */
class StrictJsonEventCodecContractTest extends EventCodecContract {
    record OrderPlaced(String orderId, long amountCents, Instant at, List<String> skus) {
    }

    private final EventCodec codec = EventCodec.strictJson();

    @Override
    protected EventCodec codec() {
        return codec;
    }

    @Override
    protected Class<?> payloadClass() {
        return OrderPlaced.class;
    }

    @Override
    protected Object payload(int seed) {
        return new OrderPlaced("o-" + seed, 100L * seed, Instant.ofEpochSecond(1_700_000_000L + seed),
                List.of("sku-" + seed, "sku-ü-" + (seed + 1)));
    }
}
