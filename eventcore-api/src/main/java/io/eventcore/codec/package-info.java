/**
 * Payload encoding: the {@link io.eventcore.codec.EventCodec} SPI with its Jackson default
 * {@link io.eventcore.codec.JsonEventCodec}, the {@link io.eventcore.codec.TypeResolver} SPI that
 * finds an inbound message's event type, and {@link io.eventcore.codec.DecodeException}.
 */
package io.eventcore.codec;
