package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class H2InboxStoreTest extends JdbcInboxContract {
    @Override
    TestDatabase database() {
        return TestDatabase.h2("inbox_contract");
    }
}
