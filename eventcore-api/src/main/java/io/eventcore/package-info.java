/**
 * eventcore's public API: the event model ({@link io.eventcore.Event},
 * {@link io.eventcore.InboundMessage}), the {@link io.eventcore.EventRouter} with its middleware
 * chain, {@link io.eventcore.RetryPolicy} and dead-letter handling
 * ({@link io.eventcore.DeadLetterSink}), the codec SPI with its JSON default, metrics, and the
 * transport SPIs ({@link io.eventcore.EventPublisher}, {@link io.eventcore.EventConsumer}).
 *
 * <p>This package depends on neither Kafka nor JDBC.
 */
package io.eventcore;
