package io.eventcore.kafka;

/**
 * What a Kafka consumer in {@linkplain KafkaEventConsumerBuilder#exactlyOnce exactly-once mode} can take into
 * its transactions: a {@link KafkaEventPublisher} a handler publishes through, or the
 * {@link KafkaDeadLetterSink} of its router. While a record of that consumer is handled, what the output sends
 * for it on the handler's thread is held back and produced in the consumer's next transaction, together with the
 * record's offset; what a failed handler attempt sent is dropped. Outside a handler of such a consumer the output
 * works as usual.
 */
public sealed interface KafkaOutput permits KafkaEventPublisher, KafkaDeadLetterSink {
}
