package io.eventcore.outbox.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.test.InMemoryBroker;
import io.eventcore.test.TestDatabase;
import io.eventcore.transport.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Strict order on PostgreSQL means commit order per key. Threads append to a few shared keys with random
 * delays between taking a transaction id, appending and committing, while a relay drains concurrently. Each
 * commit's real-time interval [commit called, commit returned] is recorded: if transaction A's commit returned
 * before B's was called, A committed first, and A's event must precede B's on the topic. (Overlapping commits
 * have no observable order, so either is right.) Id order would fail this: the test prints how many forced
 * pairs id order gets wrong.
 */
class PostgresStrictOrderIT {
    private static final String TABLE = "strict_random";
    private static final int THREADS = 6;
    private static final int TX_PER_THREAD = 30;
    private static final List<String> KEYS = List.of("k1", "k2", "k3");

    private record Commit(String key, long id, long start, long end) {
    }

    @Test
    void randomConcurrentAppends_reachTheTopicInCommitOrderPerKey() throws Exception {
        DataSource ds = TestDatabase.postgres().scratch("strict_order").dataSource();
        JdbcOutbox outbox = JdbcOutbox.builder(ds).table(TABLE).shards(4).strictOrder(true).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(ds, TABLE);
        InMemoryBroker broker = new InMemoryBroker();
        OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(broker.publisher())
                .topicNaming(TopicNaming.fixed("orders")).build();
        Map<String, Commit> commits = new ConcurrentHashMap<>();
        AtomicBoolean appending = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        Future<?> relaying = pool.submit(() -> {
            while (appending.get()) {
                relay.publishPending();
            }
            return null;
        });
        List<Future<?>> appenders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            appenders.add(pool.submit(() -> {
                append(ds, outbox, thread, commits);
                return null;
            }));
        }
        for (Future<?> f : appenders) {
            f.get();
        }
        appending.set(false);
        relaying.get();
        while (relay.publishPending() > 0) {
            // drain
        }
        pool.shutdown();
        outbox.close();
        check(broker, commits);
    }

    private static void append(DataSource ds, JdbcOutbox outbox, int thread, Map<String, Commit> commits)
            throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            for (int i = 0; i < TX_PER_THREAD; i++) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                String value = "t" + thread + "-" + i;
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_current_xact_id()"); // takes the transaction id now
                }
                Thread.sleep(random.nextInt(4));
                outbox.append(c, OutboxEvent.builder("Order", key).rawPayload("Step",
                        value.getBytes(StandardCharsets.UTF_8)).build());
                long id;
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT max(id) FROM " + TABLE + " WHERE tx_id = pg_current_xact_id()")) {
                    rs.next();
                    id = rs.getLong(1);
                }
                Thread.sleep(random.nextInt(4));
                long start = System.nanoTime();
                c.commit();
                commits.put(value, new Commit(key, id, start, System.nanoTime()));
            }
        }
    }

    private static void check(InMemoryBroker broker, Map<String, Commit> commits) {
        List<String> topic = broker.messages("orders").stream().map(InboundMessage::value)
                .map(v -> new String(v, StandardCharsets.UTF_8)).toList();
        assertThat(topic).as("each event once").doesNotHaveDuplicates().hasSize(THREADS * TX_PER_THREAD);
        int forcedPairs = 0;
        int idOrderWouldBreak = 0;
        List<String> violations = new ArrayList<>();
        for (String key : KEYS) {
            List<Commit> order = topic.stream().map(commits::get).filter(c -> c.key().equals(key)).toList();
            List<String> names = topic.stream().filter(v -> commits.get(v).key().equals(key)).toList();
            for (int a = 0; a < order.size(); a++) {
                for (int b = a + 1; b < order.size(); b++) {
                    Commit first = order.get(a);
                    Commit later = order.get(b);
                    if (later.end() < first.start()) {
                        violations.add(key + ": " + names.get(b) + " committed before " + names.get(a)
                                + " began committing, but came after it");
                    }
                    if (first.end() < later.start() || later.end() < first.start()) {
                        forcedPairs++;
                        Commit earlierCommit = first.end() < later.start() ? first : later;
                        Commit laterCommit = earlierCommit == first ? later : first;
                        if (earlierCommit.id() > laterCommit.id()) {
                            idOrderWouldBreak++;
                        }
                    }
                }
            }
        }
        System.out.println("pairs with a known commit order: " + forcedPairs + "; of these, id order gets "
                + idOrderWouldBreak + " wrong; violations of commit order: " + violations.size());
        assertThat(forcedPairs).as("the test observed ordered commits").isPositive();
        assertThat(violations).as("topic order against commit order").isEmpty();
    }
}
