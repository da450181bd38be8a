package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class PostgresOutboxStoreIT extends JdbcOutboxContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    String table() {
        return "ec_contract";
    }
}
