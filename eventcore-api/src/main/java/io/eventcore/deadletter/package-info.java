/**
 * Dead letters: the {@link io.eventcore.deadletter.DeadLetterSink} SPI (Kafka's sink lives in
 * {@code eventcore-kafka}, an in-memory one in {@code eventcore-test}), the
 * {@link io.eventcore.deadletter.DeadLetter} value with its builder, and
 * {@link io.eventcore.deadletter.DeadLetterException}.
 */
package io.eventcore.deadletter;
