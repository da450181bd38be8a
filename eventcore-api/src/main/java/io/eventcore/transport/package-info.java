/**
 * Transport SPIs: {@link io.eventcore.transport.EventPublisher} with
 * {@link io.eventcore.transport.OutboundMessage} and {@link io.eventcore.transport.PublishReceipt},
 * {@link io.eventcore.transport.EventConsumer} with {@link io.eventcore.transport.ConsumerHealth}
 * and {@link io.eventcore.transport.Ordering}, the {@link io.eventcore.transport.ConsumerMetrics}
 * callback (lag, pauses, in-flight work), and {@link io.eventcore.transport.TopicNaming}, shared by
 * publishers and the outbox relay. Kafka implements the SPIs in {@code eventcore-kafka}, the test
 * kit in memory; both pass the transport contract suite.
 */
package io.eventcore.transport;
