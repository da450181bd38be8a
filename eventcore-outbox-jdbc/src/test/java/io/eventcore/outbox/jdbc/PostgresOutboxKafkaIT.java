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

    /**
     * Open defect (issue 23): run alone, or after the other tests but {@code rolledBackTransaction...}, the poison
     * row dies after its three attempts with the transactional relay; run after {@code rolledBackTransaction...} on
     * PostgreSQL, every round of the new relay ends as an outage ({@code SendAbortedException} only, the row's own
     * {@code RecordTooLargeException} never reported), so no attempt is counted and nothing of the shard flows.
     * Not seen on MariaDB. Skipped, not weakened, until understood.
     */
    @Override
    String poisonRowDefect() {
        return "open defect: after rolledBackTransaction..., the transactional relay's rounds end as outages on "
                + "PostgreSQL (see PostgresOutboxKafkaIT.poisonRowDefect)";
    }
}
