package io.eventcore.outbox.jdbc;

import io.eventcore.test.TestDatabase;

class PostgresOutboxKafkaIT extends OutboxKafkaContract {
    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    String table() {
        return "ec_relay";
    }
}
