/**
 * The Kafka transport: publisher, consumer runtime, dead-letter sink, retry topics and DLQ redrive.
 */
package io.eventcore.kafka;
