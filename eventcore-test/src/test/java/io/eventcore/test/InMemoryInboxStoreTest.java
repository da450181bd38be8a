package io.eventcore.test;

import io.eventcore.inbox.InboxStore;
import java.util.List;

class InMemoryInboxStoreTest extends InboxStoreContract<InMemoryInboxStore.Effects> {
    private final InMemoryInboxStore store = new InMemoryInboxStore();

    @Override
    protected InboxStore<InMemoryInboxStore.Effects> store() {
        return store;
    }

    @Override
    protected void writeEffect(InMemoryInboxStore.Effects transaction, String effect) {
        transaction.write(effect);
    }

    @Override
    protected List<String> committedEffects() {
        return store.effects();
    }
}
