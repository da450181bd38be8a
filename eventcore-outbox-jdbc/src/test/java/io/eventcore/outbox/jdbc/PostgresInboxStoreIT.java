package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class PostgresInboxStoreIT extends JdbcInboxContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
