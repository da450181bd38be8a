/**
 * The JDBC transactional outbox: store, relay and dialects.
 */
package io.eventcore.outbox.jdbc;
