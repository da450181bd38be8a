package io.eventcore.transport;

/**
 * Where a published message was stored.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset, -1 when the transport does not report one
 */
public record PublishReceipt(String topic, int partition, long offset) {
}
