package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

/** The contract on H2 with {@code keepPublished}: published rows are marked, and purged by age. */
class H2KeptRowsOutboxStoreTest extends JdbcOutboxContract {
    @Override
    protected Features features() {
        return Features.basic().withKeptPublishedRows();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.h2("outbox_contract_kept");
    }

    @Override
    String table() {
        return "ec_contract_kept";
    }
}
