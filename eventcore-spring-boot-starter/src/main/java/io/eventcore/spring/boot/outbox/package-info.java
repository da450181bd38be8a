/**
 * The JDBC transactional outbox under Spring: {@link io.eventcore.spring.boot.outbox.OutboxAppender} appends
 * on the connection of the current Spring-managed transaction, and the auto-configuration runs the relay.
 */
package io.eventcore.spring.boot.outbox;
