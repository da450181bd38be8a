package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Clock;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.test.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leases and heartbeats are timed by the database's clock: relays whose host clocks are an hour apart, on one
 * table, neither take a live lease nor keep one past its time to live, and count each other alive only while
 * their heartbeats last. Each relay passes its own clock's {@code now}, as the relay does.
 */
class LeaseClockSkewIT {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration TTL = Duration.ofMillis(1500);
    private static final Clock RIGHT = Clock.system();
    private static final Clock AHEAD = () -> RIGHT.now().plus(HOUR);
    private static final Clock BEHIND = () -> RIGHT.now().minus(HOUR);

    static Stream<TestDatabase> databases() {
        return Stream.of(TestDatabase.postgres(), TestDatabase.mariadb());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void skewedRelays_neitherStealLiveLeases_norKeepThemPastTheirTtl(TestDatabase db) throws Exception {
        try (JdbcOutbox outbox = JdbcOutbox.builder(db.dataSource()).table("ec_clock_skew").shards(4).build()) {
            outbox.createSchema();
            TestDatabase.emptyOutbox(db.dataSource(), "ec_clock_skew");
            OutboxStore store = outbox.store();

            OutboxLease right = store.acquire(0, "right", RIGHT.now(), TTL).orElseThrow();
            assertThat(store.acquire(0, "ahead", AHEAD.now(), TTL)).as("an hour-ahead relay cannot steal").isEmpty();
            assertThat(store.acquire(0, "behind", BEHIND.now(), TTL)).as("nor can an hour-behind one").isEmpty();
            OutboxLease ahead = store.acquire(1, "ahead", AHEAD.now(), TTL).orElseThrow();
            OutboxLease behind = store.acquire(2, "behind", BEHIND.now(), TTL).orElseThrow();
            assertThat(store.acquire(2, "right", RIGHT.now(), TTL)).as("a behind relay's lease is not stolen early")
                    .isEmpty();
            assertThat(store.heartbeat("right", RIGHT.now(), TTL)).isEqualTo(1);
            assertThat(store.heartbeat("ahead", AHEAD.now(), TTL)).as("'right' is alive by the database").isEqualTo(2);
            assertThat(store.heartbeat("behind", BEHIND.now(), TTL)).isEqualTo(3);

            Thread.sleep(TTL.toMillis() + 500);
            assertThat(store.heartbeat("right", RIGHT.now(), TTL)).as("the others' registrations lapsed")
                    .isEqualTo(1);
            OutboxLease takenFromAhead = store.acquire(1, "behind", BEHIND.now(), TTL)
                    .orElseThrow(() -> new AssertionError("the ahead relay kept its lease past its TTL"));
            OutboxLease takenFromBehind = store.acquire(2, "ahead", AHEAD.now(), TTL)
                    .orElseThrow(() -> new AssertionError("the behind relay's lease never expired"));
            OutboxLease takenFromRight = store.acquire(0, "ahead", AHEAD.now(), TTL).orElseThrow();
            assertThat(List.of(takenFromAhead.fence(), takenFromBehind.fence(), takenFromRight.fence()))
                    .containsExactly(ahead.fence() + 1, behind.fence() + 1, right.fence() + 1);
            assertThat(store.renew(ahead, AHEAD.now(), TTL)).as("lost leases cannot be renewed").isEmpty();
            assertThat(store.renew(behind, BEHIND.now(), TTL)).isEmpty();
            assertThat(store.renew(right, RIGHT.now(), TTL)).isEmpty();
            assertThat(store.renew(takenFromAhead, BEHIND.now(), TTL)).isPresent();
            assertThat(takenFromAhead.until()).as("until is in the caller's clock")
                    .isBetween(BEHIND.now().minusSeconds(5), BEHIND.now().plus(TTL));
        }
    }
}
