package io.eventcore.outbox.jdbc;

/** Every statement of the JDBC outbox, built once for the configured table names and dialect. */
final class Sql {
    private static final String COLUMNS = "id, event_id, aggregate_type, aggregate_id, event_type, topic, headers, "
            + "payload, created_at, attempts, last_error";

    final String insert;
    final String fetch;
    /** Whether {@link #fetch} takes the shard twice, as a range. */
    final boolean fetchShardRange;
    final String claimUnkeyed;
    final String markPublished;
    final String deletePublished;
    /**
     * MySQL: {@code DELETE ... WHERE id IN } forced onto the primary key (InnoDB may otherwise read an
     * {@code IN} list on a small table by a full scan, locking every row); null on other dialects.
     */
    final String deletePublishedByPk;
    /** Whether a shard holds a row waiting for a retry (shard, now); null on H2. */
    final String heldInShard;
    /**
     * The fetch for a shard that holds no waiting row (shard, twice with {@link #fetchShardRange}; now; limit);
     * null on H2.
     */
    final String fetchFree;
    final String retry;
    final String insertDead;
    final String deleteRow;
    final String leaseRow;
    final String acquire;
    final String readLease;
    final String renew;
    final String release;
    final String lockFence;
    final String touchRelay;
    final String insertRelay;
    final String countRelays;
    final String expireRelays;
    final String leaveRelay;
    final String releaseAllOf;
    final String deadRows;
    final String deadByIds;
    final String replay;
    final String deleteDead;
    final String oldDead;
    final String oldPublished;
    final String pendingUpTo;
    final String shardHead;
    final String maxId;
    /** The database's estimate of the table's rows (one value, may be null or negative), or null on H2. */
    final String pendingEstimate;
    final String deadCount;

    Sql(String table, Dialect dialect, boolean strict) {
        String dead = table + "_dead";
        String lease = table + "_lease";
        String relay = table + "_relay";
        insert = "INSERT INTO " + table + " (shard, event_id, aggregate_type, aggregate_id, event_type, topic, headers,"
                + " payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // InnoDB's statistics lag behind a table that is emptied and refilled all day; without the hint
        // it may pick the published_at index and sort the whole shard on every fetch.
        String pendingIndex = dialect == Dialect.MYSQL ? " FORCE INDEX (" + bare(table) + "_pending_idx)" : "";
        fetchShardRange = dialect == Dialect.POSTGRESQL;
        fetch = fetch(table, pendingIndex, strict, fetchShardRange, true);
        boolean mysql = dialect == Dialect.MYSQL;
        deletePublishedByPk = mysql ? "DELETE o FROM " + table + " o FORCE INDEX (PRIMARY) WHERE o.id IN " : null;
        heldInShard = dialect == Dialect.H2 ? null : heldInShard(table, mysql);
        fetchFree = dialect == Dialect.H2 ? null : fetch(table, pendingIndex, strict, fetchShardRange, false);
        // Rows without a key have no order: no strict-order condition.
        claimUnkeyed = "SELECT " + COLUMNS + " FROM " + table + pendingIndex + " WHERE shard = -1 AND published_at IS NULL"
                + " AND next_attempt_at <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
        markPublished = "UPDATE " + table + " SET published_at = ? WHERE id IN ";
        deletePublished = "DELETE FROM " + table + " WHERE id IN ";
        retry = "UPDATE " + table + " SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?";
        insertDead = "INSERT INTO " + dead + " (" + COLUMNS + ", failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        deleteRow = "DELETE FROM " + table + " WHERE id = ?";
        leaseRow = "INSERT INTO " + lease + " (shard, owner, fence, lease_until) SELECT ?, NULL, 0, 0"
                + (dialect == Dialect.MYSQL ? " FROM DUAL" : "")
                + " WHERE NOT EXISTS (SELECT 1 FROM " + lease + " WHERE shard = ?)";
        // Lease and heartbeat times are the database's clock plus a bound shift in milliseconds (the time to
        // live, or 0 for "now"): one clock for every relay, however skewed their hosts' clocks are.
        String now = dialect.nowMillis();
        // fence first: MySQL evaluates SET left to right with the new values.
        acquire = "UPDATE " + lease + " SET fence = CASE WHEN owner = ? THEN fence ELSE fence + 1 END, owner = ?,"
                + " lease_until = " + now + " + ? WHERE shard = ? AND (owner = ? OR owner IS NULL OR lease_until < "
                + now + " + ?)";
        readLease = "SELECT owner, fence, lease_until FROM " + lease + " WHERE shard = ?";
        renew = "UPDATE " + lease + " SET lease_until = " + now + " + ? WHERE shard = ? AND owner = ? AND fence = ?";
        release = "UPDATE " + lease + " SET owner = NULL, lease_until = 0 WHERE shard = ? AND owner = ? AND fence = ?";
        lockFence = "SELECT fence FROM " + lease + " WHERE shard = ? AND owner = ? AND fence = ? FOR UPDATE";
        touchRelay = "UPDATE " + relay + " SET alive_until = " + now + " + ? WHERE relay_id = ?";
        insertRelay = "INSERT INTO " + relay + " (relay_id, alive_until) VALUES (?, " + now + " + ?)";
        countRelays = "SELECT COUNT(*) FROM " + relay + " WHERE alive_until >= " + now + " + ?";
        expireRelays = "DELETE FROM " + relay + " WHERE alive_until < " + now + " + ?";
        leaveRelay = "DELETE FROM " + relay + " WHERE relay_id = ?";
        releaseAllOf = "UPDATE " + lease + " SET owner = NULL, lease_until = 0 WHERE owner = ?";
        deadRows = "SELECT " + COLUMNS + " FROM " + dead + " ORDER BY failed_at, id LIMIT ?";
        deadByIds = "SELECT " + COLUMNS + " FROM " + dead + " WHERE id IN ";
        replay = insert;
        deleteDead = "DELETE FROM " + dead + " WHERE id IN ";
        oldDead = "SELECT id FROM " + dead + " WHERE failed_at < ? ORDER BY failed_at, id LIMIT ?";
        oldPublished = "SELECT id FROM " + table + " WHERE published_at IS NOT NULL AND published_at < ?"
                + " ORDER BY published_at LIMIT ?";
        // Backlog: bounded, never a scan of every pending row (see JdbcBacklog).
        pendingUpTo = "SELECT COUNT(*) FROM (SELECT 1 FROM " + table + " WHERE published_at IS NULL LIMIT "
                + (JdbcBacklog.EXACT_UP_TO + 1) + ") p";
        shardHead = "SELECT id, created_at FROM " + table + pendingIndex + " WHERE shard = ? AND published_at IS NULL"
                + " ORDER BY id LIMIT 1";
        maxId = "SELECT MAX(id) FROM " + table;
        pendingEstimate = pendingEstimate(table, dialect);
        deadCount = "SELECT COUNT(*) FROM " + dead;
    }

    /**
     * The fetch of one shard's due rows. A row waiting for a retry hides itself and every later row with its
     * key. Strict order: a shard in commit order (commit_seq, stamped at commit; see the strict-order
     * migration), rows from before the stamps first; else id order.
     *
     * <p>{@code shardRange} (PostgreSQL): the shard as a range (bound twice), ordered by (shard, position).
     * Only the pending index delivers that order; with {@code shard = ?} the shard drops out of the order and
     * a generic plan ({@code plan_cache_mode=force_generic_plan}, pools with prepared statements) may walk
     * the primary key, filtering every row.
     */
    private static String fetch(String table, String pendingIndex, boolean strict, boolean shardRange,
            boolean heldBackCheck) {
        String position = strict ? "(COALESCE(%1$s.commit_seq, 0), %1$s.id)" : "%1$s.id";
        String heldBack = " AND NOT EXISTS (SELECT 1 FROM " + table + " b WHERE b.shard = o.shard"
                + " AND b.aggregate_id = o.aggregate_id AND b.next_attempt_at > ?"
                + " AND " + String.format(position, "b") + " <= " + String.format(position, "o")
                // Constant bound: lets PostgreSQL use the partial index (next_attempt_at > 0) in generic plans.
                + " AND b.next_attempt_at > 0"
                + " AND b.published_at IS NULL)";
        return "SELECT " + COLUMNS + " FROM " + table + " o" + pendingIndex + " WHERE "
                + (shardRange ? "o.shard >= ? AND o.shard <= ?" : "o.shard = ?") + " AND o.published_at IS NULL"
                + (heldBackCheck ? heldBack : "")
                // A row without a key (in the shards on H2) is held back by its own back-off only.
                + " AND (o.aggregate_id IS NOT NULL OR o.next_attempt_at <= ?)"
                + " ORDER BY " + (shardRange ? "o.shard, " : "")
                + (strict ? "o.commit_seq NULLS FIRST, o.id" : "o.id") + " LIMIT ?";
    }

    /**
     * InnoDB runs the fetch's held-back check once per candidate row by ref on (shard, key), walking all the key's
     * pending entries each time, and PostgreSQL's plan for it is at the mercy of statistics on a table emptied
     * and refilled all day (seen walking a shard's pending entries once per candidate row); one probe per shard
     * and lease finds that usually no row is held, and the fetch then runs without the check.
     */
    private static String heldInShard(String table, boolean mysql) {
        return "SELECT 1 FROM " + table + (mysql ? " FORCE INDEX (" + bare(table) + "_retry_idx)" : "")
                + " WHERE shard = ? AND next_attempt_at > ? AND next_attempt_at > 0 AND published_at IS NULL LIMIT 1";
    }

    /** @return the query for the database's estimate of the table's rows, or null (H2) */
    private static String pendingEstimate(String table, Dialect dialect) {
        // The table name is a checked plain identifier (JdbcSchema): safe inside a literal.
        int dot = table.indexOf('.');
        return switch (dialect) {
            // Live rows as counted by the statistics system as transactions end: fresher than reltuples.
            case POSTGRESQL -> "SELECT pg_stat_get_live_tuples(to_regclass('" + table + "'))";
            case MYSQL -> "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                    + (dot < 0 ? "DATABASE()" : "'" + table.substring(0, dot) + "'") + " AND TABLE_NAME = '"
                    + bare(table) + "'";
            case H2 -> null;
        };
    }

    /** @return the table name without its schema */
    static String bare(String table) {
        return table.substring(table.indexOf('.') + 1);
    }

    /** @return {@code (?, ?, ..., ?)} with {@code n} markers */
    static String markers(int n) {
        StringBuilder b = new StringBuilder(n * 3 + 2).append('(');
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "?" : ", ?");
        }
        return b.append(')').toString();
    }
}
