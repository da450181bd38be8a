package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class MariaDbOutboxStoreIT extends JdbcOutboxContract {
    @Override
    protected Features features() {
        return Features.basic().withUnkeyedClaims();
    }

    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }

    @Override
    String table() {
        return "ec_contract";
    }
}
