package io.eventcore.outbox.jdbc;

import io.eventcore.EventcoreException;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.test.OutboxStoreContract;
import io.eventcore.test.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Runs the outbox-store contract against one database, with tables of its own. */
abstract class JdbcOutboxContract extends OutboxStoreContract {
    private JdbcOutbox outbox;

    /** @return the database (may skip the test, or fail it in CI) */
    abstract TestDatabase database();

    /** @return the outbox table name for this class */
    abstract String table();

    @Override
    protected OutboxStore emptyStore() {
        TestDatabase db = database();
        outbox = JdbcOutbox.builder(db.dataSource()).table(table()).shards(8).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(db.dataSource(), table());
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
