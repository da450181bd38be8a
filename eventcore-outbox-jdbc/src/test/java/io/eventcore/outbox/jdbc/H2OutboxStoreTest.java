package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class H2OutboxStoreTest extends JdbcOutboxContract {
    @Override
    protected Features features() {
        return Features.basic();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.h2("outbox_contract");
    }

    @Override
    String table() {
        return "ec_contract";
    }
}
