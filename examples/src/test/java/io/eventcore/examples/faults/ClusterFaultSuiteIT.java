package io.eventcore.examples.faults;

import static io.eventcore.examples.faults.FaultKit.handled;
import static io.eventcore.examples.faults.FaultKit.ids;
import static io.eventcore.examples.faults.FaultKit.steps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.KafkaClusterProcess;
import io.eventcore.test.KafkaTopics;
import io.eventcore.test.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fault injection on a 3-broker KRaft cluster ({@link KafkaClusterProcess}: one controller, three
 * brokers, topics with 3 replicas and {@code min.insync.replicas=2}). Brokers are SIGKILLed by index;
 * consumers and relays run in their own JVMs as in {@link FaultSuiteIT}, whose matrix line format the
 * scenarios here share.
 *
 * <p>Quick profile (default, part of {@code ./mvnw verify}): only (k), with 1,000 events. Full profile
 * ({@code -Pfaults} or {@code -Dfaults.full=true}): (k), (l) and (m) with 20,000 events each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultSuiteIT {
    private static final String SUITE = "ClusterFaultSuiteIT";
    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final int N = FULL ? 20_000 : 1_000;
    private static final Duration DEADLINE = Duration.ofMinutes(FULL ? 10 : 3);
    private static final Map<String, String> MATRIX = new LinkedHashMap<>();
    private static KafkaClusterProcess cluster;
    private static Path work;

    @BeforeAll
    static void startCluster() throws IOException {
        work = Files.createTempDirectory("eventcore-cluster-faults-");
        cluster = KafkaClusterProcess.start();
    }

    @AfterAll
    static void printMatrix() {
        if (cluster != null) {
            cluster.close();
        }
        FaultKit.printMatrix(SUITE, FULL, N + " events each", MATRIX);
    }

    // ---------------------------------------------------------------- helpers

    private static void await(String what, BooleanSupplier condition) {
        FaultKit.await(what, DEADLINE, condition);
    }

    private static ChildJvm consumer(String name, String topic, String group, Path ledger, long workMillis,
            int concurrency, String... options) {
        List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers(), topic, group, ledger.toString(),
                String.valueOf(workMillis), String.valueOf(concurrency)));
        args.addAll(List.of(options));
        return ChildJvm.start(name, work.resolve(name + ".log"), ConsumerWorker.class, args.toArray(String[]::new));
    }

    private static ChildJvm relay(String name, String jdbcUrl, String table, String topic) {
        return ChildJvm.start(name, work.resolve(name + ".log"), RelayWorker.class, jdbcUrl, table,
                cluster.bootstrapServers(), topic, name);
    }

    private static JdbcOutbox outbox(TestDatabase pg, String table) {
        JdbcOutbox outbox = JdbcOutbox.builder(pg.dataSource()).table(table).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(pg.dataSource(), table);
        return outbox;
    }

    /** Appends chunk by chunk like {@link AppPublisher#publish}, each chunk in one transaction. */
    private static void appendPaced(JdbcOutbox outbox, List<Step> rows, long pauseMillis, IntPredicate mayAppend) {
        for (int i = 0; i < rows.size(); i += FaultKit.KEYS) {
            int from = i;
            if (!mayAppend.test(from)) {
                Awaitility.await("rows from " + from + " may be appended").atMost(DEADLINE)
                        .pollInterval(Duration.ofMillis(20)).until(() -> mayAppend.test(from));
            }
            FaultKit.append(outbox, rows.subList(i, Math.min(rows.size(), i + FaultKit.KEYS)), FaultKit.KEYS);
            try {
                TimeUnit.MILLISECONDS.sleep(pauseMillis); // pacing, so that the stream lasts while brokers die
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The publisher side: every acknowledged id is on the topic, read back by a fresh consumer. */
    private static void publisherVerdict(String scenario, AppPublisher app, String topic, List<Step> steps) {
        assertThat(app.acked).as(scenario + ": every step was acknowledged in the end").containsAll(ids(steps));
        assertThat(app.permanent).as(scenario + ": failures the publisher called permanent").isEmpty();
        FaultKit.verdict(SUITE, MATRIX, scenario, Set.copyOf(app.acked), Set.of(),
                FaultKit.readTopic(cluster.bootstrapServers(), topic, app.acked.size(), DEADLINE), true);
    }

    /**
     * The relay side: every row on the topic, read back committed-only, keys in order; with {@code once}, no
     * row twice (the transactional relay's promise).
     */
    private static void relayVerdict(String scenario, String topic, List<Step> rows, boolean once) {
        FaultKit.verdict(SUITE, MATRIX, scenario, ids(rows), Set.of(),
                FaultKit.readTopic(cluster.bootstrapServers(), topic, rows.size(), DEADLINE), true, once);
    }

    /** @return records on the topic, or 0 while its end offsets cannot be read */
    private static long relayed(String topic) {
        try {
            return KafkaTopics.endOffsets(cluster.bootstrapServers(), topic);
        } catch (IllegalStateException notNow) {
            return 0;
        }
    }

    /** @return outbox rows with failed sends counted against them (transient failures are not counted) */
    private static long rowsWithAttempts(TestDatabase pg, String table) throws SQLException {
        try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from " + table + " where attempts > 0")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- scenarios

    /**
     * (k): the leader of partition 0 is SIGKILLed while an application publishes, a consumer JVM consumes
     * and a relay JVM relays from PostgreSQL; publishing must go on with one broker down, then the broker
     * comes back (in the quick profile, which does it once, it stays down). Twice in the full profile.
     */
    @Test
    @Order(1)
    void k_partitionLeaderKilledDuringPublishConsumeAndRelay() throws Exception {
        String topic = "cluster-k";
        String relayTopic = "cluster-k-relay";
        cluster.createTopics(6, Map.of(), topic, relayTopic);
        TestDatabase pg = TestDatabase.postgres();
        JdbcOutbox outbox = outbox(pg, "cluster_k");
        List<Step> steps = steps("k", N, 0);
        List<Step> rows = steps("kr", N, 0);
        int rounds = FULL ? 2 : 1;
        long pause = FULL ? 25 : 250;
        AtomicInteger kills = new AtomicInteger();
        // Half-way between two kills, the streams wait for the earlier kill: every kill lands mid-stream.
        IntPredicate gate = i -> {
            int due = 0;
            for (int r = 1; r <= rounds; r++) {
                due += i >= (2L * r + 1) * N / (2L * (rounds + 1)) ? 1 : 0;
            }
            return kills.get() >= due;
        };
        Path ledger = work.resolve("k.ledger");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<String> victims = new ArrayList<>();
        try (ChildJvm consumer = consumer("k-consumer", topic, "k", ledger, 1, 8);
                ChildJvm relay = relay("k-relay", pg.url(), "cluster_k", relayTopic);
                AppPublisher app = new AppPublisher(cluster.bootstrapServers(), topic, Map.of(), DEADLINE)) {
            Future<?> publishing = threads.submit(() -> app.publish(steps, pause, gate));
            Future<?> appending = threads.submit(() -> appendPaced(outbox, rows, pause, gate));
            for (int r = 1; r <= rounds; r++) {
                int threshold = N * r / (rounds + 1);
                await("k: " + threshold + " published, and consuming and relaying under way",
                        () -> app.acked.size() >= threshold && handled(List.of(ledger)) > 0
                                && relayed(relayTopic) > 0);
                int victim = cluster.leaderOf(topic, 0);
                cluster.kill(victim);
                victims.add(String.valueOf(victim));
                kills.incrementAndGet();
                int more = threshold + N / (4 * (rounds + 1));
                await("k: publishing goes on with broker " + victim + " down", () -> app.acked.size() >= more);
                if (FULL) { // the quick profile ends with the broker down: nothing after (k) needs it
                    cluster.restart(victim);
                    cluster.awaitInSync(DEADLINE, topic, relayTopic);
                }
            }
            get(publishing);
            get(appending);
            await("k: all handled", () -> handled(List.of(ledger)) >= N);
            await("k: outbox drained", () -> outbox.store().backlog().pending() == 0);
            consumer.stop();
            relay.stop();
            System.out.printf("[%s] (k) killed brokers %s; publisher: %d failed sends, retried%n", SUITE, victims,
                    app.failures.get());
            String what = "(k) partition leader SIGKILLed " + rounds + "x during publish, consume and relay";
            FaultKit.verdict(SUITE, MATRIX, what + ": consumer", ids(steps), Set.of(),
                    Ledger.read(List.of(ledger)), true);
            publisherVerdict(what + ": publisher acks on the log", app, topic, steps);
            relayVerdict(what + ": relay", relayTopic, rows, false);
        } finally {
            threads.shutdownNow();
            outbox.close();
        }
    }

    /**
     * (l): two brokers SIGKILLed, leaving every partition below {@code min.insync.replicas}: the
     * publisher's sends and the relay's fail, transiently (no row is dead); after the brokers restart
     * everything flows. The relay's output holds no duplicate; the application publisher's may.
     */
    @Test
    @Order(2)
    void l_twoBrokersDown_belowMinInsyncReplicas() throws Exception {
        assumeTrue(FULL, "full profile only (-Pfaults)");
        String topic = "cluster-l";
        String relayTopic = "cluster-l-relay";
        cluster.createTopics(6, Map.of(), topic, relayTopic);
        TestDatabase pg = TestDatabase.postgres();
        JdbcOutbox outbox = outbox(pg, "cluster_l");
        List<Step> steps = steps("l", N, 0);
        List<Step> rows = steps("lr", N, 0);
        int third = N / 3;
        Path ledger = work.resolve("l.ledger");
        ExecutorService threads = Executors.newFixedThreadPool(1);
        Map<String, Object> quickFailure = Map.of("delivery.timeout.ms", "5000", "request.timeout.ms", "2000",
                "max.block.ms", "5000");
        try (ChildJvm consumer = consumer("l-consumer", topic, "l", ledger, 0, 8);
                ChildJvm relay = relay("l-relay", pg.url(), "cluster_l", relayTopic);
                AppPublisher app = new AppPublisher(cluster.bootstrapServers(), topic, quickFailure, DEADLINE)) {
            app.publish(steps.subList(0, third), 0, i -> true);
            FaultKit.append(outbox, rows.subList(0, third), FaultKit.KEYS);
            await("l: first third handled and relayed", () -> handled(List.of(ledger)) >= third
                    && outbox.store().backlog().pending() == 0);
            int first = cluster.leaderOf(topic, 0);
            int second = (first + 1) % KafkaClusterProcess.BROKERS;
            cluster.kill(first);
            cluster.kill(second);
            long down = System.nanoTime();
            Future<?> publishing = threads.submit(() -> app.publish(steps.subList(third, 2 * third), 0, i -> true));
            FaultKit.append(outbox, rows.subList(third, 2 * third), FaultKit.KEYS); // the database is up
            await("l: the publisher reports failed sends", () -> app.failures.get() > 0);
            // Down for 15 s in all: past the relay's delivery timeout (8 s), so its sends fail too.
            TimeUnit.NANOSECONDS.sleep(Math.max(0, down + TimeUnit.SECONDS.toNanos(15) - System.nanoTime()));
            long pendingDuringOutage = outbox.store().backlog().pending();
            int deadDuringOutage = outbox.store().deadRecords(100).size();
            long countedDuringOutage = rowsWithAttempts(pg, "cluster_l");
            int failuresDuringOutage = app.failures.get();
            cluster.restart(first);
            cluster.restart(second);
            get(publishing);
            app.publish(steps.subList(2 * third, N), 0, i -> true);
            FaultKit.append(outbox, rows.subList(2 * third, N), FaultKit.KEYS);
            await("l: all handled", () -> handled(List.of(ledger)) >= N);
            await("l: outbox drained", () -> outbox.store().backlog().pending() == 0);
            consumer.stop();
            relay.stop();
            System.out.printf("[%s] (l) brokers %d and %d down 15 s: %d failed sends during the outage (%d in all), "
                    + "%d rows pending, %d with counted attempts, %d dead%n", SUITE, first, second, failuresDuringOutage,
                    app.failures.get(), pendingDuringOutage, countedDuringOutage, deadDuringOutage);
            assertThat(failuresDuringOutage).as("(l) the publisher failed while below min.insync.replicas").isPositive();
            assertThat(pendingDuringOutage).as("(l) rows waited in the outbox during the outage").isPositive();
            assertThat(deadDuringOutage).as("(l) no row went dead during the outage").isZero();
            assertThat(countedDuringOutage).as("(l) rows whose failed sends were counted as attempts").isZero();
            assertThat(outbox.store().deadRecords(100)).as("(l) no row went dead").isEmpty();
            assertThat(outbox.store().backlog().dead()).as("(l) dead rows in the backlog").isZero();
            String what = "(l) two of three brokers SIGKILLed (below min.insync.replicas) for 15 s";
            // The application's own publisher (not transactional) resends what failed: a send that timed out
            // may have been written, so its log and the consumer fed by it may hold duplicates; they are
            // counted, not asserted. The relay's output, read committed-only, must hold none.
            FaultKit.verdict(SUITE, MATRIX, what + ": consumer", ids(steps), Set.of(), Ledger.read(List.of(ledger)),
                    true);
            publisherVerdict(what + ": publisher acks on the log", app, topic, steps);
            relayVerdict(what + ": relay", relayTopic, rows, true);
        } finally {
            threads.shutdownNow();
            outbox.close();
        }
    }

    /**
     * (m): consumers on KIP-848's group protocol ({@code group.protocol=consumer}) started, stopped
     * (SIGTERM) or SIGKILLed, one change at a time, while events arrive. After each change the storm waits
     * until the group has settled (every live consumer a member with partitions, a killed one expired), so
     * every change is a real rebalance with consumers at work, then lets events flow for 2 s.
     */
    @Test
    @Order(3)
    void m_rebalanceStormOnTheConsumerGroupProtocol() throws Exception {
        assumeTrue(FULL, "full profile only (-Pfaults)");
        String topic = "cluster-m";
        cluster.createTopics(6, Map.of(), topic);
        List<Step> steps = steps("m", N, 0);
        List<Path> ledgers = new ArrayList<>();
        List<ChildJvm> workers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(1);
        int ticks = 18;
        AtomicInteger ticksDone = new AtomicInteger();
        int started = 0;
        int killed = 0;
        int removals = 0;
        try (AppPublisher app = new AppPublisher(cluster.bootstrapServers(), topic, Map.of(), DEADLINE)) {
            // Publishing is spread over the storm: each settled group gets the next share of the events.
            Future<?> publishing = threads.submit(() -> app.publish(steps, 0,
                    i -> i < (long) (ticksDone.get() + 1) * N / ticks));
            for (int tick = 0; tick < ticks; tick++) {
                if (workers.size() < 3 && (tick % 3 != 2 || workers.isEmpty())) {
                    Path ledger = work.resolve("m-" + started + ".ledger");
                    ledgers.add(ledger);
                    workers.add(consumer("m-consumer-" + started, topic, "m", ledger, 2, 8, "consumer-protocol"));
                    started++;
                } else if (++removals % 3 == 0) {
                    workers.remove(0).kill(); // a crash: its partitions wait for the session timeout (10 s)
                    killed++;
                } else {
                    workers.remove(0).stop();
                }
                int live = workers.size();
                await("m: group settled with " + live + " consumers after change " + tick, () -> settled("m", live));
                ticksDone.incrementAndGet(); // the next share of events goes to the settled group
                TimeUnit.SECONDS.sleep(2); // and flows through it for a while
            }
            get(publishing);
            if (workers.isEmpty()) {
                Path ledger = work.resolve("m-" + started + ".ledger");
                ledgers.add(ledger);
                workers.add(consumer("m-consumer-" + started, topic, "m", ledger, 0, 16, "consumer-protocol"));
                started++;
            }
            await("m: all handled", () -> handled(ledgers) >= N);
        } finally {
            threads.shutdownNow();
            workers.forEach(ChildJvm::stop);
        }
        long working = ledgers.stream().filter(l -> l.toFile().length() > 0).count();
        System.out.printf("[%s] (m) %d consumer JVMs started (%d of them handled events), %d SIGKILLed%n", SUITE,
                started, working, killed);
        assertThat(working).as("(m) consumers that took part").isGreaterThanOrEqualTo(started - 1L);
        FaultKit.verdict(SUITE, MATRIX, "(m) rebalance storm on group.protocol=consumer (KIP-848): " + ticks
                + " joins, leaves or SIGKILLs while events arrive", ids(steps), Set.of(), Ledger.read(ledgers), true);
    }

    /** @return whether the group has exactly {@code live} members, each with partitions */
    private static boolean settled(String group, int live) {
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group);
            return d.members().size() == live
                    && d.members().stream().noneMatch(m -> m.assignment().topicPartitions().isEmpty());
        } catch (Exception notYet) {
            return false;
        }
    }
}
