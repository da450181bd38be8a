--liquibase formatted sql
--changeset eventcore:eventcore-inbox-2
-- eventcore JDBC inbox schema for PostgreSQL 13 or later.
-- Version 2 of the schema, for Flyway or Liquibase (see the README, "Exactly-once effects"): the table
-- in which JdbcInbox records which events each consumer group has processed. Never edit it once applied.
-- For another table name replace the prefix "eventcore_inbox" in every identifier (JdbcInbox.ddl() does).
-- Times are epoch milliseconds.

CREATE TABLE IF NOT EXISTS eventcore_inbox (
    consumer_group  VARCHAR(255) NOT NULL,
    event_id        VARCHAR(255) NOT NULL,
    processed_at    BIGINT       NOT NULL,
    PRIMARY KEY (consumer_group, event_id)
);

CREATE INDEX IF NOT EXISTS eventcore_inbox_processed_idx ON eventcore_inbox (processed_at);
