package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class MariaDbOutboxStoreIT extends JdbcOutboxContract {
    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }

    @Override
    String table() {
        return "ec_contract";
    }
}
