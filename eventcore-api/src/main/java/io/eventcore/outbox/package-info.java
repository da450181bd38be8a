/**
 * The transactional outbox, store-neutral: the write side ({@link io.eventcore.outbox.Outbox},
 * {@link io.eventcore.outbox.OutboxEvent}), the relay ({@link io.eventcore.outbox.OutboxPublisher})
 * that claims pending rows under shard leases and publishes them through any
 * {@link io.eventcore.transport.EventPublisher}, its {@link io.eventcore.outbox.OutboxMetrics}, and
 * the store SPI ({@link io.eventcore.outbox.OutboxStore} and the types it exchanges). The JDBC store
 * lives in {@code eventcore-outbox-jdbc}, an in-memory store in {@code eventcore-test}.
 */
package io.eventcore.outbox;
