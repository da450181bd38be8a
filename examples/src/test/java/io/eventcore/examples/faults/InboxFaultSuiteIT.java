package io.eventcore.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcInbox;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import io.eventcore.test.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Exactly-once effects under SIGKILL (issue 15, scenarios (i) and (j)): consumers whose handlers write business
 * rows through a {@link JdbcInbox} on PostgreSQL, killed mid-stream (one event per call, then batch routes), and a two-hop pipeline (consumer + inbox +
 * outbox, relay, consumer + inbox) whose first consumer and relay are killed. Effects are counted in the database
 * (rows per step id), deliveries in each worker's delivery ledger: the first may not repeat, the second may.
 * Quick profile: 1,000 events per scenario; full ({@code -Dfaults.full=true}): 20,000.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InboxFaultSuiteIT {
    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final int N = FULL ? 20_000 : 1_000;
    private static final Duration DEADLINE = Duration.ofMinutes(FULL ? 10 : 3);
    private static final Map<String, String> MATRIX = new LinkedHashMap<>();
    private static KafkaBrokerProcess broker;
    private static TestDatabase pg;
    private static Path work;

    @BeforeAll
    static void start() throws IOException, SQLException {
        pg = TestDatabase.postgres();
        broker = KafkaBrokerProcess.start();
        work = Files.createTempDirectory("eventcore-inbox-faults-");
        try (Connection c = pg.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + InboxWorker.EFFECTS
                    + " (hop VARCHAR(20) NOT NULL, step_id VARCHAR(100) NOT NULL, k VARCHAR(20), seq INT)");
        }
    }

    @AfterAll
    static void printMatrix() {
        if (broker != null) {
            broker.close();
        }
        System.out.println("\n[InboxFaultSuiteIT] exactly-once matrix (" + (FULL ? "full" : "quick") + ", " + N
                + " events each)");
        System.out.println("| scenario | events | lost | duplicate effects | duplicate deliveries |");
        MATRIX.forEach((name, line) -> System.out.println("| " + name + " | " + line + " |"));
    }

    private static DataSource db() {
        return pg.dataSource();
    }

    private static void reset(String... hops) throws SQLException {
        try (Connection c = db().getConnection(); Statement s = c.createStatement()) {
            for (String hop : hops) {
                s.execute("DELETE FROM " + InboxWorker.EFFECTS + " WHERE hop = '" + hop + "'");
                try (JdbcInbox inbox = JdbcInbox.builder(db()).table("faults_inbox_" + hop).purgeInterval(Duration.ZERO)
                        .build()) {
                    inbox.createSchema();
                }
                s.execute("DELETE FROM faults_inbox_" + hop);
            }
        }
    }

    /** @return step id → number of effect rows of the hop */
    private static Map<String, Integer> effects(String hop) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        try (Connection c = db().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT step_id, COUNT(*) FROM " + InboxWorker.EFFECTS
                     + " WHERE hop = ? GROUP BY step_id")) {
            s.setString(1, hop);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    private static List<Step> steps(String prefix) {
        return FaultKit.steps(prefix, N, 0);
    }

    private static void publish(String topic, List<Step> steps) {
        KafkaTopics.create(Map.of("bootstrap.servers", broker.bootstrapServers()), 6, Map.of(), topic);
        try (KafkaEventPublisher p = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .topic(topic).build()) {
            for (int i = 0; i < steps.size(); i += 500) {
                List<Event<?>> batch = steps.subList(i, Math.min(steps.size(), i + 500)).stream()
                        .<Event<?>>map(s -> Event.of(s.key(), s)).toList();
                p.publishAll(batch).toCompletableFuture().join();
            }
        }
    }

    private static ChildJvm inboxConsumer(String name, String topic, String hop, Path deliveries, String... outbox) {
        return inboxConsumer(name, topic, hop, deliveries, List.of(), outbox);
    }

    private static ChildJvm inboxConsumer(String name, String topic, String hop, Path deliveries, List<String> jvm,
            String... outbox) {
        List<String> args = new ArrayList<>(List.of(broker.bootstrapServers(), topic, "group-" + hop, pg.url(), hop,
                deliveries.toString()));
        args.addAll(List.of(outbox));
        return ChildJvm.start(name, work.resolve(name + ".log"), jvm, InboxWorker.class, args.toArray(String[]::new));
    }

    private static void await(String what, IntSupplier progress, int target) {
        Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> progress.getAsInt() >= target);
    }

    /** Records the scenario's line and asserts every step has exactly one effect. */
    private static void verdict(String scenario, List<Step> steps, String hop, List<Path> deliveries) {
        Map<String, Integer> rows = effects(hop);
        Set<String> lost = new HashSet<>();
        steps.forEach(s -> lost.add(s.id()));
        lost.removeAll(rows.keySet());
        long duplicateEffects = rows.values().stream().mapToLong(n -> n - 1).sum();
        Ledger wire = Ledger.read(deliveries);
        MATRIX.put(scenario, steps.size() + " | " + lost.size() + " | " + duplicateEffects + " | " + wire.duplicates());
        System.out.printf("[InboxFaultSuiteIT] %s: %d events, %d lost, %d duplicate effects, %d duplicate deliveries%n",
                scenario, steps.size(), lost.size(), duplicateEffects, wire.duplicates());
        assertThat(lost).as(scenario + ": events without an effect").isEmpty();
        assertThat(duplicateEffects).as(scenario + ": duplicate effects").isZero();
    }

    @Test
    @Order(1)
    void i_inboxConsumerKilledThreeTimesMidStream() throws Exception {
        killedThreeTimes("i", false, "(i) inbox consumer SIGKILLed 3 times mid-stream");
    }

    @Test
    @Order(3)
    void i_batchInboxConsumerKilledThreeTimesMidStream() throws Exception {
        killedThreeTimes("ib", true, "(i) with batch handlers (JdbcInbox.batchHandler, 100 per batch)");
    }

    private static void killedThreeTimes(String hop, boolean batch, String scenario) throws Exception {
        reset(hop);
        List<Step> steps = steps(hop);
        String topic = "faults-" + hop;
        publish(topic, steps);
        List<String> jvm = List.of("-Dfaults.batch=" + batch);
        List<Path> deliveries = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            Path ledger = work.resolve(hop + "-" + round + ".deliveries");
            deliveries.add(ledger);
            ChildJvm worker = inboxConsumer(hop + "-consumer-" + round, topic, hop, ledger, jvm);
            await(hop + ": round " + round, () -> effects(hop).size(), N * (round + 1) / 4);
            worker.kill();
        }
        Path last = work.resolve(hop + "-3.deliveries");
        deliveries.add(last);
        try (ChildJvm worker = inboxConsumer(hop + "-consumer-3", topic, hop, last, jvm)) {
            await(hop + ": every step has its effect", () -> effects(hop).size(), N);
            worker.stop();
        }
        verdict(scenario, steps, hop, deliveries);
    }

    @Test
    @Order(2)
    void j_twoHops_consumerAndRelayKilled() throws Exception {
        reset("j1", "j2");
        String outboxTable = "faults_j_outbox";
        try (JdbcOutbox outbox = JdbcOutbox.builder(db()).table(outboxTable).build()) {
            outbox.createSchema();
        }
        TestDatabase.emptyOutbox(db(), outboxTable);
        KafkaTopics.create(Map.of("bootstrap.servers", broker.bootstrapServers()), 6, Map.of(), "faults-j2");
        List<Step> steps = steps("j");
        publish("faults-j1", steps);
        List<Path> firstHop = new ArrayList<>();
        List<Path> secondHop = List.of(work.resolve("j2.deliveries"));
        try (ChildJvm second = inboxConsumer("j2-consumer", "faults-j2", "j2", secondHop.get(0))) {
            for (int round = 0; round < 2; round++) {
                Path ledger = work.resolve("j1-" + round + ".deliveries");
                firstHop.add(ledger);
                ChildJvm first = inboxConsumer("j1-consumer-" + round, "faults-j1", "j1", ledger, outboxTable);
                ChildJvm relay = relay("j-relay-" + round, outboxTable);
                await("j: first hop, round " + round, () -> effects("j1").size(), N * (round + 1) / 3);
                first.kill();
                await("j: second hop, round " + round, () -> effects("j2").size(), N * round / 3 + N / 6);
                relay.kill();
            }
            Path last = work.resolve("j1-2.deliveries");
            firstHop.add(last);
            try (ChildJvm first = inboxConsumer("j1-consumer-2", "faults-j1", "j1", last, outboxTable);
                 ChildJvm relay = relay("j-relay-2", outboxTable)) {
                await("j: second hop complete", () -> effects("j2").size(), N);
                first.stop();
                relay.stop();
            }
            second.stop();
        }
        verdict("(j) two hops, first hop: consumer and relay SIGKILLed twice", steps, "j1", firstHop);
        verdict("(j) two hops, second hop", steps, "j2", secondHop);
    }

    private static ChildJvm relay(String name, String table) {
        return ChildJvm.start(name, work.resolve(name + ".log"), RelayWorker.class, pg.url(), table,
                broker.bootstrapServers(), "faults-j2", name);
    }
}
