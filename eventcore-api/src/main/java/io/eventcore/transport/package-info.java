/**
 * Transport SPIs: {@link io.eventcore.transport.EventPublisher} with
 * {@link io.eventcore.transport.OutboundMessage} and {@link io.eventcore.transport.PublishReceipt},
 * {@link io.eventcore.transport.EventConsumer} with {@link io.eventcore.transport.ConsumerHealth}
 * and {@link io.eventcore.transport.Ordering}. Kafka implements them in {@code eventcore-kafka},
 * the test kit in memory; both pass the transport contract suite.
 */
package io.eventcore.transport;
