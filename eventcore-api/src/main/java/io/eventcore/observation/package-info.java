/**
 * Instrumentation SPI: the hooks through which the router, the publisher, the outbox and its relay report
 * each message they process, send or create, so that an implementation can trace them and carry the W3C
 * trace context ({@link io.eventcore.EventHeaders#TRACEPARENT}) from producer to consumer.
 *
 * <p>{@link io.eventcore.observation.EventInstrumentation#noop()} is the default everywhere and costs
 * nothing; {@link io.eventcore.micrometer.MicrometerInstrumentation} creates Micrometer Observations named
 * after the OpenTelemetry messaging semantic conventions.
 */
package io.eventcore.observation;
