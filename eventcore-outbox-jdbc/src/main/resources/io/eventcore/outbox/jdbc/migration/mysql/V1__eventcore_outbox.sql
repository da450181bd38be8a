-- liquibase formatted sql
-- changeset eventcore:eventcore-outbox-1
-- eventcore JDBC outbox schema for MySQL 8 or MariaDB 10.6 or later (InnoDB).
-- Version 1 of the schema, for Flyway or Liquibase (see the README, "Schema"); never edit it once
-- applied: later versions ship as V<n>__*.sql beside it. For other table names replace the prefix
-- "eventcore_outbox" in every identifier (JdbcOutbox.ddl() does that for a configured table name).
-- Text is utf8mb4 (any key, whatever the server's default charset); identifiers compared by the relay (event id,
-- aggregate id, lease owner, relay id) use the binary collation utf8mb4_bin, so "ABC" and "abc" are two keys.
-- Times are epoch milliseconds. shard -1 holds rows without a key (claimed with SKIP LOCKED).

CREATE TABLE IF NOT EXISTS eventcore_outbox (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    shard           INTEGER       NOT NULL,
    event_id        VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    aggregate_type  VARCHAR(255)  NOT NULL,
    aggregate_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    event_type      VARCHAR(255)  NOT NULL,
    topic           VARCHAR(249),
    headers         MEDIUMTEXT,
    payload         LONGBLOB        NOT NULL,
    created_at      BIGINT        NOT NULL,
    attempts        INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at BIGINT        NOT NULL DEFAULT 0,
    last_error      VARCHAR(1000),
    published_at    BIGINT,
    KEY eventcore_outbox_pending_idx (shard, published_at, id),
    KEY eventcore_outbox_retry_idx (shard, aggregate_id, next_attempt_at),
    KEY eventcore_outbox_published_idx (published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS eventcore_outbox_dead (
    id              BIGINT        PRIMARY KEY,
    event_id        VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    aggregate_type  VARCHAR(255)  NOT NULL,
    aggregate_id    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    event_type      VARCHAR(255)  NOT NULL,
    topic           VARCHAR(249),
    headers         MEDIUMTEXT,
    payload         LONGBLOB        NOT NULL,
    created_at      BIGINT        NOT NULL,
    attempts        INTEGER       NOT NULL,
    last_error      VARCHAR(1000),
    failed_at       BIGINT        NOT NULL,
    KEY eventcore_outbox_dead_failed_idx (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS eventcore_outbox_lease (
    shard           INTEGER       PRIMARY KEY,
    owner           VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
    fence           BIGINT        NOT NULL DEFAULT 0,
    lease_until     BIGINT        NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS eventcore_outbox_relay (
    relay_id        VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY,
    alive_until     BIGINT        NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
