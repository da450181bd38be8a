package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class PostgresOutboxStoreIT extends JdbcOutboxContract {
    @Override
    protected Features features() {
        return Features.basic().withUnkeyedClaims().withHintChannel();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    String table() {
        return "ec_contract";
    }
}
