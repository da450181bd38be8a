/**
 * The transactional outbox, store-neutral.
 *
 * <ul>
 *   <li><b>Write side:</b> {@link io.eventcore.outbox.Outbox} appends {@link io.eventcore.outbox.OutboxEvent}s
 *       inside the caller's transaction.</li>
 *   <li><b>Relay:</b> {@link io.eventcore.outbox.OutboxPublisher} claims pending rows under shard leases and
 *       publishes them through any {@link io.eventcore.transport.EventPublisher}; it reports
 *       {@link io.eventcore.outbox.OutboxMetrics} and an {@link io.eventcore.outbox.OutboxStatus}. The relay
 *       lives here, not in a store module: every store plugs into the same relay.</li>
 *   <li><b>Store SPI:</b> {@link io.eventcore.outbox.OutboxStore}, composed of
 *       {@link io.eventcore.outbox.OutboxRows}, {@link io.eventcore.outbox.OutboxLeases},
 *       {@link io.eventcore.outbox.OutboxAdmin} and {@link io.eventcore.outbox.OutboxSignals}, with the
 *       optional capabilities {@link io.eventcore.outbox.UnkeyedClaims} and
 *       {@link io.eventcore.outbox.HintChannel}; the values they exchange are
 *       {@link io.eventcore.outbox.OutboxRecord}, {@link io.eventcore.outbox.OutboxLease},
 *       {@link io.eventcore.outbox.OutboxCompletion} and {@link io.eventcore.outbox.OutboxBacklog}.</li>
 * </ul>
 *
 * <p>Stores: the JDBC store (PostgreSQL, MySQL/MariaDB, H2) is {@code io.eventcore.outbox.jdbc.JdbcOutbox} in
 * {@code eventcore-outbox-jdbc}; an in-memory store for tests is {@code io.eventcore.test.InMemoryOutboxStore}
 * in {@code eventcore-test}, which also holds the contract suite every store passes
 * ({@code io.eventcore.test.OutboxStoreContract}). The relay's collaborators (pass, loop, leases, batch,
 * housekeeping) are package-private.
 */
package io.eventcore.outbox;
