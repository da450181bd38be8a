/**
 * The JDBC outbox store: {@link io.eventcore.outbox.jdbc.JdbcOutbox} appends events with the caller's
 * {@link java.sql.Connection} and provides the {@link io.eventcore.outbox.OutboxStore} over the outbox tables;
 * {@link io.eventcore.outbox.jdbc.Dialect} names the supported databases (PostgreSQL, MySQL/MariaDB, H2), and
 * one DDL file per dialect ships as a resource. Store, dialects and schema only: the relay
 * ({@link io.eventcore.outbox.OutboxPublisher}) is store-neutral and lives in eventcore-api's
 * {@code io.eventcore.outbox} package. Everything else here is package-private.
 */
package io.eventcore.outbox.jdbc;
