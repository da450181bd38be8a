package io.eventcore.examples.faults;

import static io.eventcore.examples.faults.FaultKit.append;
import static io.eventcore.examples.faults.FaultKit.handled;
import static io.eventcore.examples.faults.FaultKit.ids;
import static io.eventcore.examples.faults.FaultKit.steps;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import io.eventcore.test.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fault injection with real processes: the broker, the consumers and the relays each run in their own
 * JVM and are killed with SIGKILL (a relay is also paused with SIGSTOP); PostgreSQL is stopped and started.
 * Every scenario sends uniquely identified events with per-key sequence numbers and checks that none is lost,
 * counts duplicates, and checks that the first handling of each key's events follows the sequence. Topics are
 * read back committed-only ({@code read_committed}); where the transactional relay's output is read, (g) and
 * (z), no duplicate is allowed either.
 *
 * <p>Quick profile (default, part of {@code ./mvnw verify}): 2,000 events per scenario. Full profile:
 * {@code ./mvnw verify -Pfaults -pl examples -am} (20,000 events).
 * Each scenario prints one line of the fault matrix in {@code docs/reliability.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final int N = FULL ? 20_000 : 2_000;
    private static final Duration DEADLINE = Duration.ofMinutes(FULL ? 10 : 3);
    private static final Map<String, String> MATRIX = new LinkedHashMap<>();
    /**
     * The relays' log: timed, with the relay's lease and take-over lines (INFO), so that a failed scenario's
     * logs tell who held what when.
     */
    private static final List<String> RELAY_LOGGING = List.of("-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-Dorg.slf4j.simpleLogger.log.io.eventcore.outbox=info");
    /** Send timeout of (z)'s zombie relay: longer than its pause. */
    private static final int ZOMBIE_SEND_TIMEOUT_SECONDS = 120;
    /** Shards of the JDBC outboxes here (the default). */
    private static final int SHARDS = JdbcOutbox.DEFAULT_SHARDS;
    private static KafkaBrokerProcess broker;
    private static Path work;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = KafkaBrokerProcess.start();
        work = Files.createTempDirectory("eventcore-faults-");
    }

    @AfterAll
    static void printMatrix() {
        if (broker != null) {
            broker.close();
        }
        FaultKit.printMatrix("FaultSuiteIT", FULL, N + " events each", MATRIX);
    }

    // ---------------------------------------------------------------- helpers

    private static void createTopic(String topic, int partitions, Map<String, String> configs) {
        KafkaTopics.create(Map.of("bootstrap.servers", broker.bootstrapServers()), partitions, configs, topic);
    }

    private static void publish(String topic, List<Step> steps) {
        try (KafkaEventPublisher p = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .topic(topic).build()) {
            for (int i = 0; i < steps.size(); i += 500) {
                List<Event<?>> batch = steps.subList(i, Math.min(steps.size(), i + 500)).stream()
                        .<Event<?>>map(s -> Event.of(s.key(), s)).toList();
                p.publishAll(batch).toCompletableFuture().join();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        FaultKit.await(what, DEADLINE, condition);
    }

    private static int lines(Path file) {
        try {
            return Files.exists(file) ? (int) Files.lines(file).count() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChildJvm consumer(String name, String topic, String group, Path ledger, long workMillis,
            int concurrency, String... mode) {
        List<String> args = new ArrayList<>(List.of(broker.bootstrapServers(), topic, group, ledger.toString(),
                String.valueOf(workMillis), String.valueOf(concurrency)));
        args.addAll(List.of(mode));
        return ChildJvm.start(name, work.resolve(name + ".log"), ConsumerWorker.class, args.toArray(String[]::new));
    }

    /** Records the scenario's line of the matrix and asserts nothing was lost and the order held. */
    private static void verdict(String scenario, Set<String> expected, Set<String> deadLettered, Ledger ledger) {
        verdict(scenario, expected, deadLettered, ledger, true);
    }

    /**
     * Records the scenario's line and asserts nothing was lost; the key order is asserted only where
     * the delivery mode keeps it ({@code REDELIVER} retries hand a failed event back after later ones).
     */
    private static void verdict(String scenario, Set<String> expected, Set<String> deadLettered, Ledger ledger,
            boolean ordered) {
        verdict(scenario, expected, deadLettered, ledger, ordered, false);
    }

    /** As above; with {@code once} (a transactional relay's output read committed-only), no duplicates either. */
    private static void verdict(String scenario, Set<String> expected, Set<String> deadLettered, Ledger ledger,
            boolean ordered, boolean once) {
        FaultKit.verdict("FaultSuiteIT", MATRIX, scenario, expected, deadLettered, ledger, ordered, once);
    }

    /** @return end offsets minus the group's committed offsets, summed over the topic */
    private static long lag(String group, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long end = KafkaTopics.endOffsets(broker.bootstrapServers(), topic);
            long done = committed.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().offset()).sum();
            return end - done;
        } catch (Exception e) {
            throw new IllegalStateException("could not read the lag of " + group, e);
        }
    }

    /** Reads a topic from the start; each record becomes a ledger entry ordered by offset (a key lives in one partition). */
    private static Ledger readTopic(String topic, int atLeast) {
        return FaultKit.readTopic(broker.bootstrapServers(), topic, atLeast, DEADLINE);
    }

    private static Set<String> deadLetterIds(String dlqTopic, int expected) throws InterruptedException {
        Set<String> out = new HashSet<>();
        if (expected == 0) {
            return out;
        }
        Ledger l = readTopic(dlqTopic, expected);
        return l.ids();
    }

    private static ChildJvm relay(String name, String jdbcUrl, String table, String topic, String... options) {
        List<String> args = new ArrayList<>(List.of(jdbcUrl, table, broker.bootstrapServers(), topic, name));
        args.addAll(List.of(options));
        return ChildJvm.start(name, work.resolve(name + ".log"), RELAY_LOGGING, RelayWorker.class,
                args.toArray(String[]::new));
    }

    /** @return how many shards the relay said it holds last ({@code shards [..]} lines of {@link RelayWorker}) */
    private static int shardsHeld(ChildJvm relay) {
        List<String> lines = relay.lines("shards [");
        if (lines.isEmpty()) {
            return 0;
        }
        String last = lines.get(lines.size() - 1);
        String list = last.substring(last.indexOf('[') + 1, last.lastIndexOf(']')).trim();
        return list.isEmpty() ? 0 : list.split(",").length;
    }

    /**
     * Waits until every relay holds some shards (each as it said last; their views may overlap for a moment, as
     * a lease changes hands, so the sum is not checked).
     */
    private static void awaitShardsShared(String scenario, List<ChildJvm> relays) {
        await(scenario + ": every one of " + relays + " holds shards",
                () -> relays.stream().allMatch(r -> shardsHeld(r) > 0));
    }

    // ---------------------------------------------------------------- scenarios

    @Test
    @Order(1)
    void a_consumerKilledThreeTimesMidStream() throws Exception {
        String topic = "faults-a";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("a", N, 0);
        publish(topic, steps);
        List<Path> ledgers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Path ledger = work.resolve("a-" + round + ".ledger");
            ledgers.add(ledger);
            ChildJvm worker = consumer("a-consumer-" + round, topic, "a", ledger, 4, 4);
            int target = N * (round + 1) / 4;
            await("a: " + target + " handled", () -> handled(ledgers) >= target);
            worker.kill();
        }
        Path last = work.resolve("a-3.ledger");
        ledgers.add(last);
        try (ChildJvm worker = consumer("a-consumer-3", topic, "a", last, 0, 16)) {
            await("a: all handled", () -> handled(ledgers) >= N);
            worker.stop();
        }
        verdict("(a) consumer SIGKILLed 3 times mid-stream, restarted", ids(steps), Set.of(), Ledger.read(ledgers));
    }

    @Test
    @Order(2)
    void b_brokerKilledWhileConsuming() throws Exception {
        String topic = "faults-b";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("b", N, 0);
        publish(topic, steps);
        Path ledger = work.resolve("b.ledger");
        try (ChildJvm worker = consumer("b-consumer", topic, "b", ledger, 2, 8)) {
            await("b: a third handled", () -> handled(List.of(ledger)) >= N / 3);
            broker.kill();
            TimeUnit.SECONDS.sleep(3); // the broker stays down for a while
            broker.restart();
            await("b: all handled", () -> handled(List.of(ledger)) >= N);
            worker.stop();
        }
        verdict("(b) broker SIGKILLed and restarted while consuming", ids(steps), Set.of(), Ledger.read(List.of(ledger)));
    }

    @Test
    @Order(3)
    void c_brokerKilledWhileTheRelayPublishes() throws Exception {
        TestDatabase pg = TestDatabase.postgres();
        String table = "faults_c";
        JdbcOutbox outbox = JdbcOutbox.builder(pg.dataSource()).table(table).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(pg.dataSource(), table);
        String topic = "faults-c";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("c", N, 0);
        try (ChildJvm relay = relay("c-relay", pg.url(), table, topic)) {
            append(outbox, steps.subList(0, N / 2), 20);
            broker.kill();
            append(outbox, steps.subList(N / 2, N), 20);
            TimeUnit.SECONDS.sleep(3); // rows pile up while the broker is down
            broker.restart();
            await("c: outbox drained", () -> outbox.store().backlog().pending() == 0);
            relay.stop();
        } finally {
            outbox.close();
        }
        verdict("(c) broker SIGKILLed and restarted while the relay publishes", ids(steps), Set.of(),
                readTopic(topic, N));
    }

    @Test
    @Order(4)
    void d_postgresRestartedWhileTheRelayRuns() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createTempDirectory("eventcore-faults-pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data)
                .setCleanDataDirectory(false).start();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        DataSource ds = TestDatabase.driverManager(url, "postgres", "");
        String table = "faults_d";
        JdbcOutbox outbox = JdbcOutbox.builder(ds).table(table).build();
        outbox.createSchema();
        String topic = "faults-d";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("d", N, 0);
        try (ChildJvm relay = relay("d-relay", url, table, topic)) {
            append(outbox, steps.subList(0, N / 2), 20);
            await("d: relay running", () -> outbox.store().backlog().pending() < N / 2);
            pg.close();
            TimeUnit.SECONDS.sleep(2); // the database stays down for a while
            pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
            append(outbox, steps.subList(N / 2, N), 20);
            await("d: outbox drained", () -> {
                try {
                    return outbox.store().backlog().pending() == 0;
                } catch (RuntimeException stillStarting) {
                    return false;
                }
            });
            relay.stop();
        } finally {
            outbox.close();
            pg.close();
        }
        verdict("(d) PostgreSQL stopped and started while the relay runs", ids(steps), Set.of(), readTopic(topic, N));
    }

    @Test
    @Order(5)
    void e_deadLetterTopicUnwritableForAWhile() throws Exception {
        String topic = "faults-e";
        createTopic(topic, 6, Map.of());
        // Any dead letter (with its headers) is larger than 200 bytes: the DLQ refuses every write.
        createTopic(topic + ".dlq", 1, Map.of("max.message.bytes", "200"));
        List<Step> steps = steps("e", N, 50);
        Set<String> poison = steps.stream().filter(Step::poison).map(Step::id).collect(Collectors.toSet());
        publish(topic, steps);
        Path ledger = work.resolve("e.ledger");
        try (ChildJvm worker = consumer("e-consumer", topic, "e", ledger, 0, 8)) {
            await("e: handling under way", () -> handled(List.of(ledger)) > 0);
            TimeUnit.SECONDS.sleep(5); // the DLQ stays unwritable for a while
            long lagDuringOutage = lag("e", topic);
            long lettersDuringOutage = KafkaTopics.endOffsets(broker.bootstrapServers(), topic + ".dlq");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic + ".dlq"),
                        List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048576"),
                                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }
            await("e: all good events handled", () -> handled(List.of(ledger)) >= N - poison.size());
            await("e: everything committed once the DLQ is writable", () -> lag("e", topic) == 0);
            worker.stop();
            assertThat(lettersDuringOutage).as("the DLQ refused every write during the outage").isZero();
            assertThat(lagDuringOutage).as("no offset was committed past a record whose dead letter failed")
                    .isPositive();
        }
        Set<String> dead = deadLetterIds(topic + ".dlq", poison.size());
        assertThat(dead).as("every poison event reached the DLQ once it was writable").containsAll(poison);
        verdict("(e) DLQ topic unwritable for 5 s", ids(steps), dead, Ledger.read(List.of(ledger)));
    }

    @Test
    @Order(6)
    void f_rebalanceStorm() throws Exception {
        String topic = "faults-f";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("f", N, 0);
        List<Path> ledgers = new ArrayList<>();
        List<ChildJvm> workers = new ArrayList<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < steps.size(); i += N / 20) {
                publish(topic, steps.subList(i, Math.min(steps.size(), i + N / 20)));
                try {
                    TimeUnit.MILLISECONDS.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        producer.start();
        int started = 0;
        try {
            for (int tick = 0; tick < (FULL ? 20 : 8); tick++) {
                if (workers.size() < 3 && (tick % 3 != 2 || workers.isEmpty())) {
                    Path ledger = work.resolve("f-" + started + ".ledger");
                    ledgers.add(ledger);
                    workers.add(consumer("f-consumer-" + started, topic, "f", ledger, 2, 8));
                    started++;
                } else {
                    workers.remove(0).stop();
                }
                TimeUnit.SECONDS.sleep(2);
            }
            producer.join();
            if (workers.isEmpty()) {
                Path ledger = work.resolve("f-" + started + ".ledger");
                ledgers.add(ledger);
                workers.add(consumer("f-consumer-" + started, topic, "f", ledger, 0, 16));
            }
            await("f: all handled", () -> handled(ledgers) >= N);
        } finally {
            producer.interrupt();
            workers.forEach(ChildJvm::stop);
        }
        verdict("(f) rebalance storm: consumers joining and leaving every 2 s", ids(steps), Set.of(),
                Ledger.read(ledgers));
    }

    @Test
    @Order(7)
    void g_relayKilledMidBatchWhileTwoOthersRun() throws Exception {
        TestDatabase pg = TestDatabase.postgres();
        String table = "faults_g";
        JdbcOutbox outbox = JdbcOutbox.builder(pg.dataSource()).table(table).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(pg.dataSource(), table);
        String topic = "faults-g";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("g", N, 0);
        List<ChildJvm> relays = new ArrayList<>();
        ExecutorService appending = Executors.newSingleThreadExecutor();
        try {
            // Relay 0 holds one of its transactions (sends acknowledged, not committed) until it is killed.
            relays.add(relay("g-relay-0", pg.url(), table, topic, "hold-in-flight"));
            for (int i = 1; i < 3; i++) {
                relays.add(relay("g-relay-" + i, pg.url(), table, topic));
            }
            awaitShardsShared("g", relays);
            Future<?> firstThird = appending.submit(() -> append(outbox, steps.subList(0, N / 3), 20));
            String inFlight = relays.get(0).awaitLine("in-flight ", DEADLINE);
            FaultKit.Ends atKill = FaultKit.ends(broker.bootstrapServers(), topic);
            relays.get(0).kill();
            System.out.printf("[FaultSuiteIT] (g) g-relay-0 SIGKILLed mid-batch (%s): %d offsets committed, %d in "
                    + "open transactions%n", inFlight, atKill.stable(), atKill.uncommitted());
            assertThat(atKill.uncommitted()).as("(g) records of open transactions at the broker at the kill")
                    .isPositive();
            firstThird.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            append(outbox, steps.subList(N / 3, N), 20);
            await("g: outbox drained", () -> outbox.store().backlog().pending() == 0);
        } finally {
            appending.shutdownNow();
            relays.forEach(ChildJvm::close);
            outbox.close();
        }
        verdict("(g) relay SIGKILLed mid-batch while two others run", ids(steps), Set.of(), readTopic(topic, N),
                true, true);
    }

    @Test
    @Order(8)
    void h_twoGroupsOnOneTopic_theRetryingOneSigkilledMidRetry() throws Exception {
        String topic = "faults-h";
        createTopic(topic, 6, Map.of());
        createTopic(KafkaEventConsumer.defaultRetryTopic(topic, "h-retry"), 6, Map.of());
        List<Step> steps = steps("h", N, 0);
        publish(topic, steps);
        Path plainLedger = work.resolve("h-plain.ledger");
        List<Path> retryLedgers = new ArrayList<>();
        try (ChildJvm plain = consumer("h-plain", topic, "h-plain", plainLedger, 0, 8)) {
            Path first = work.resolve("h-retry-0.ledger");
            retryLedgers.add(first);
            ChildJvm retrying = consumer("h-retry-0", topic, "h-retry", first, 2, 8, "redeliver");
            // Every seventh step fails once and waits in h-retry's retry topic: kill while copies are pending.
            await("h: a third handled by the retrying group", () -> handled(retryLedgers) >= N / 3);
            retrying.kill();
            Path second = work.resolve("h-retry-1.ledger");
            retryLedgers.add(second);
            try (ChildJvm restarted = consumer("h-retry-1", topic, "h-retry", second, 0, 16, "redeliver")) {
                await("h: all handled by the retrying group", () -> handled(retryLedgers) >= N);
                restarted.stop();
            }
            await("h: all handled by the other group", () -> handled(List.of(plainLedger)) >= N);
            plain.stop();
        }
        Ledger other = Ledger.read(List.of(plainLedger));
        verdict("(h) two groups, one with REDELIVER retries SIGKILLed mid-retry: the other group", ids(steps),
                Set.of(), other);
        assertThat(other.duplicates()).as("(h) the other group handles each event once").isZero();
        verdict("(h) two groups, one with REDELIVER retries SIGKILLed mid-retry: the retrying group", ids(steps),
                Set.of(), Ledger.read(retryLedgers), false);
    }

    /**
     * (z): a zombie relay. The relay is paused with SIGSTOP holding a transaction whose sends the broker has
     * acknowledged (not committed), past its lease; the other relay takes its shards over (fencing its
     * transactional streams: the open transaction is aborted) and publishes their rows. Then the zombie is
     * resumed: it carries on with the commit it was about to make, which the broker must refuse, and it must
     * report itself fenced, on the shard of that very transaction. A committed-only reader sees every event
     * once, in order.
     *
     * <p>The zombie's send timeout is longer than the pause ({@value #ZOMBIE_SEND_TIMEOUT_SECONDS} s): a relay
     * resumed past its send timeout does not wait for the outcome of its commit, takes it for an
     * acknowledgement timeout and only finds its lease gone, so whether it counts the fence is a race (nothing
     * becomes visible either way).
     */
    @Test
    @Order(9)
    void z_relayPausedPastItsLeaseWithABatchInFlight_isFencedWhenResumed() throws Exception {
        TestDatabase pg = TestDatabase.postgres();
        String table = "faults_z";
        JdbcOutbox outbox = JdbcOutbox.builder(pg.dataSource()).table(table).build();
        outbox.createSchema();
        TestDatabase.emptyOutbox(pg.dataSource(), table);
        String topic = "faults-z";
        createTopic(topic, 6, Map.of());
        List<Step> steps = steps("o", N, 0);
        ExecutorService appending = Executors.newSingleThreadExecutor();
        try (ChildJvm zombie = relay("z-relay-zombie", pg.url(), table, topic, "hold-in-flight",
                RelayWorker.SEND_TIMEOUT + ZOMBIE_SEND_TIMEOUT_SECONDS);
                ChildJvm other = relay("z-relay-other", pg.url(), table, topic)) {
            awaitShardsShared("o", List.of(zombie, other));
            Future<?> firstHalf = appending.submit(() -> append(outbox, steps.subList(0, N / 2), 20));
            String inFlight = zombie.awaitLine("in-flight ", DEADLINE);
            zombie.pause();
            long pausedAt = System.nanoTime();
            FaultKit.Ends atPause = FaultKit.ends(broker.bootstrapServers(), topic);
            assertThat(atPause.uncommitted()).as("(z) records of the zombie's open transaction at the broker")
                    .isPositive();
            firstHalf.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            // The pause past the lease: until the other relay holds every shard and has published every row.
            await("z: the other relay took every shard over", () -> shardsHeld(other) == SHARDS);
            await("z: the other relay drained the outbox", () -> outbox.store().backlog().pending() == 0);
            long pausedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
            assertThat(pausedMillis).as("(z) the pause stays within the zombie's send timeout")
                    .isLessThan(TimeUnit.SECONDS.toMillis(ZOMBIE_SEND_TIMEOUT_SECONDS));
            zombie.resume();
            String fenced = zombie.awaitLine("fenced ", Duration.ofSeconds(60));
            // in-flight <outbox>-<shard> ...: the held transaction's own shard is one the zombie was fenced off
            String stream = inFlight.split(" ")[1];
            String heldShard = stream.substring(stream.lastIndexOf('-') + 1);
            assertThat(zombie.lines("")).as("(z) the zombie's log: fenced off the shard of its held transaction")
                    .anyMatch(l -> l.contains("lost shard " + heldShard + ": another relay took it over"));
            System.out.printf("[FaultSuiteIT] (z) zombie SIGSTOPped %d ms with %s (%d offsets in open transactions "
                    + "at the pause); resumed, it printed '%s'%n", pausedMillis, inFlight, atPause.uncommitted(),
                    fenced);
            append(outbox, steps.subList(N / 2, N), 20);
            await("z: outbox drained", () -> outbox.store().backlog().pending() == 0);
            other.stop();
            zombie.stop();
            List<String> said = zombie.lines("");
            int resumedAt = said.indexOf(zombie.lines("resumed ").get(0));
            System.out.printf("[FaultSuiteIT] (z) the zombie said, from its resumption on: %s%n",
                    said.subList(resumedAt, said.size()).stream().filter(l -> !l.startsWith("shards ")).limit(30)
                            .toList());
        } finally {
            appending.shutdownNow();
            outbox.close();
        }
        verdict("(z) relay SIGSTOPped past its lease with a batch in flight, resumed after the take-over (zombie)",
                ids(steps), Set.of(), readTopic(topic, N), true, true);
    }
}
