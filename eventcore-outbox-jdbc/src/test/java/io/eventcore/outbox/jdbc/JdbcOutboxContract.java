package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.test.OutboxStoreContract;
import io.eventcore.test.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Runs the outbox-store contract against one database, with tables of its own. The store is configured from
 * the declared {@link Features}: kept published rows turn on {@code keepPublished}, a hint channel turns on
 * {@code notifications}; unkeyed claims follow from the dialect, and the contract checks the declaration.
 * Lease expiry follows the suite's {@code now} ({@link JdbcOutboxStore#followCallerClock}); {@code
 * LeaseClockSkewIT} checks the store's own clock with skewed relays.
 */
abstract class JdbcOutboxContract extends OutboxStoreContract {
    private JdbcOutbox outbox;

    /** @return the database (may skip the test, or fail it in CI) */
    abstract TestDatabase database();

    /** @return the outbox table name for this class */
    abstract String table();

    @Override
    protected OutboxStore emptyStore() {
        TestDatabase db = database();
        Features features = features();
        outbox = JdbcOutbox.builder(db.dataSource()).table(table()).shards(8)
                .keepPublished(features.keepsPublishedRows()).notifications(features.hintChannel()).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), table());
        // The store times leases by the database's clock; the suite moves time by the now it passes, so the
        // database's clock is shifted to follow it (expiry is still decided in the SQL).
        ((JdbcOutboxStore) outbox.store()).followCallerClock();
        return outbox.store();
    }

    @AfterEach
    void closeOutbox() {
        if (outbox != null) {
            outbox.close();
        }
    }

    @Override
    protected void appendCommitted(List<OutboxEvent> events) {
        outbox.inTransaction(c -> {
            outbox.append(c, events);
            return null;
        });
    }

    @Override
    protected void appendRolledBack(List<OutboxEvent> events) {
        try {
            outbox.inTransaction(c -> {
                outbox.append(c, events);
                throw new IllegalStateException("business rule failed");
            });
            throw new AssertionError("the transaction should have failed");
        } catch (EventcoreException expected) {
            // rolled back
        }
    }
}
