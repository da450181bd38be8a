/**
 * The inbox: exactly-once effects for handlers whose effects live in one database. An
 * {@link io.eventcore.inbox.InboxStore} records (consumer group, event id) in the same transaction
 * as the handler's writes; {@link io.eventcore.inbox.Inbox} wraps handlers so a redelivered event
 * is skipped.
 */
package io.eventcore.inbox;
