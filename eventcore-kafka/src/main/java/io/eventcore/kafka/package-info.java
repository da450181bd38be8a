/**
 * The Kafka transport: implementations of the {@link io.eventcore.transport} SPIs and the Kafka
 * dead-letter tools.
 *
 * <ul>
 *   <li>{@link io.eventcore.kafka.KafkaClientSettings}: bootstrap servers, security and common
 *       client properties, configured once and given to every builder below
 *       ({@code client(settings)}, or the {@code bootstrapServers(String)} shorthand).</li>
 *   <li>{@link io.eventcore.kafka.KafkaEventPublisher}: an {@code EventPublisher} (idempotent,
 *       {@code acks=all}); topics chosen by a {@link io.eventcore.transport.TopicNaming}.</li>
 *   <li>{@link io.eventcore.kafka.KafkaEventConsumer}: the consumer runtime, an
 *       {@code EventConsumer} that dispatches records through an
 *       {@link io.eventcore.routing.EventRouter}, with retry topics for non-blocking retries.</li>
 *   <li>{@link io.eventcore.kafka.KafkaDeadLetterSink}: a {@code DeadLetterSink} writing to
 *       {@code <topic>.dlq}; {@link io.eventcore.kafka.DeadLetterRedrive} republishes dead letters
 *       (API and command line).</li>
 * </ul>
 *
 * <p>Every builder follows one discipline: a setting made twice, or two settings that conflict, is
 * an {@link java.lang.IllegalStateException} naming it; a bad value an
 * {@link java.lang.IllegalArgumentException} naming setting and value; a missing required setting
 * fails at {@code build()} naming it. Defaults are public constants on the builders.
 *
 * <p>Everything else in this package is package-private: the consumer runtime's collaborators
 * (poll loop, partition work queues and their signals, assignments and offset tracking, commit
 * scheduler, back-pressure, rebalance handler, retry-topic gate and redeliverer) and the property
 * helpers. Users cannot reach them, so they are not API.
 */
package io.eventcore.kafka;
