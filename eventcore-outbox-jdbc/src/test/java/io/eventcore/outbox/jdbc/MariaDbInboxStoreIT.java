package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class MariaDbInboxStoreIT extends JdbcInboxContract {
    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }
}
