package io.eventcore.test;

import io.eventcore.codec.EventCodec;

/** The codec contract for the strict JSON codec, on the same samples as the lenient one. */
class StrictJsonEventCodecContractTest extends JsonEventCodecContractTest {
    private static final EventCodec STRICT = EventCodec.strictJson();

    @Override
    protected EventCodec codec() {
        return STRICT;
    }
}
