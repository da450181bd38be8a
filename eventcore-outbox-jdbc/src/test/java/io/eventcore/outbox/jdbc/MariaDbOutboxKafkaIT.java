package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class MariaDbOutboxKafkaIT extends OutboxKafkaContract {
    @Override
    TestDatabase database() {
        return TestDatabase.mariadb();
    }

    @Override
    String table() {
        return "ec_relay";
    }
}
