-- liquibase formatted sql
-- changeset eventcore:eventcore-inbox-2
-- eventcore JDBC inbox schema for MySQL 8 or MariaDB 10.6 or later (InnoDB).
-- Version 2 of the schema, for Flyway or Liquibase (see the README, "Exactly-once effects"): the table
-- in which JdbcInbox records which events each consumer group has processed. Never edit it once applied.
-- For another table name replace the prefix "eventcore_inbox" in every identifier (JdbcInbox.ddl() does).
-- The key columns are VARBINARY (UTF-8 bytes, up to 255 characters): compared byte for byte, so neither
-- case nor trailing spaces make two ids equal (utf8mb4_bin pads spaces on MariaDB). Times are epoch milliseconds.

CREATE TABLE IF NOT EXISTS eventcore_inbox (
    consumer_group  VARBINARY(1020) NOT NULL,
    event_id        VARBINARY(1020) NOT NULL,
    processed_at    BIGINT          NOT NULL,
    PRIMARY KEY (consumer_group, event_id),
    KEY eventcore_inbox_processed_idx (processed_at)
) ENGINE=InnoDB;
