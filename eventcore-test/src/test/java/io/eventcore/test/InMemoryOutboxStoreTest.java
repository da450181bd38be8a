package io.eventcore.test;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxStore;
import java.util.List;

class InMemoryOutboxStoreTest extends OutboxStoreContract {
    private InMemoryOutboxStore store;

    @Override
    protected Features features() {
        return Features.basic().withUnkeyedClaims();
    }

    @Override
    protected OutboxStore emptyStore() {
        store = InMemoryOutboxStore.create();
        return store;
    }

    @Override
    protected void appendCommitted(List<OutboxEvent> events) {
        store.inTransaction(tx -> store.append(tx, events));
    }

    @Override
    protected void appendRolledBack(List<OutboxEvent> events) {
        InMemoryOutboxStore.Transaction tx = store.transaction();
        store.append(tx, events);
        tx.rollback();
    }
}
