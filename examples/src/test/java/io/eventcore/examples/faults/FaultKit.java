package io.eventcore.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the fault suites share: the events they send, reading a topic back, appending to an outbox
 * with the application's own retry, and the verdict that makes one line of the fault matrix.
 */
final class FaultKit {
    static final int KEYS = 50;

    private FaultKit() {
    }

    /** @return {@code count} steps over {@value #KEYS} keys; every {@code poisonEvery}-th is poison (0: none) */
    static List<Step> steps(String prefix, int count, int poisonEvery) {
        int[] seq = new int[KEYS];
        List<Step> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int k = i % KEYS;
            out.add(new Step(prefix + "-" + i, "k" + k, seq[k]++, poisonEvery > 0 && i % poisonEvery == poisonEvery - 1));
        }
        return out;
    }

    static Set<String> ids(List<Step> steps) {
        return steps.stream().map(Step::id).collect(Collectors.toSet());
    }

    static void await(String what, Duration deadline, BooleanSupplier condition) {
        Awaitility.await(what).atMost(deadline).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }

    static int handled(List<java.nio.file.Path> ledgers) {
        return Ledger.read(ledgers).ids().size();
    }

    /**
     * Reads a topic from the start with a fresh committed-only consumer ({@code isolation.level=read_committed}:
     * what the promises are about; records of aborted or still open transactions are not seen); each record
     * becomes a ledger entry ordered by offset (a key lives in one partition). Stops one quiet second after
     * {@code atLeast} distinct ids arrived, or at the deadline (the caller's assertions then name what is
     * missing).
     */
    static Ledger readTopic(String bootstrap, String topic, int atLeast, Duration deadline) {
        Ledger ledger = new Ledger();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Set<String> distinct = new HashSet<>();
            Runnable drain = () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String json = new String(r.value(), StandardCharsets.UTF_8);
                    String id = field(json, "id");
                    ledger.add(new Ledger.Entry(r.offset(), id, field(json, "key"), Integer.parseInt(field(json, "seq"))));
                    distinct.add(id);
                }
            };
            try {
                Awaitility.await(topic + " holds " + atLeast + " distinct ids").atMost(deadline)
                        .pollInterval(Duration.ZERO).until(() -> {
                            drain.run();
                            return distinct.size() >= atLeast;
                        });
            } catch (ConditionTimeoutException incomplete) {
                return ledger;
            }
            // Late duplicates: read one more second after the last expected id arrived.
            for (long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1); System.nanoTime() < quietUntil; ) {
                drain.run();
            }
        }
        return ledger;
    }

    static String field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":") + name.length() + 3;
        int end = i;
        while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '}') {
            end++;
        }
        return json.substring(i, end).replace("\"", "");
    }

    /** Appends in transactions of {@code perTx} events, retrying each (the application's own retry) until it commits. */
    static void append(JdbcOutbox outbox, List<Step> steps, int perTx) {
        for (int i = 0; i < steps.size(); i += perTx) {
            List<OutboxEvent> tx = steps.subList(i, Math.min(steps.size(), i + perTx)).stream()
                    .map(s -> OutboxEvent.of("Step", s.key(), s)).toList();
            while (true) {
                try {
                    outbox.inTransaction(c -> {
                        outbox.append(c, tx);
                        return null;
                    });
                    break;
                } catch (RuntimeException databaseDown) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(200); // the application's own retry while the database restarts
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw databaseDown;
                    }
                }
            }
        }
    }

    /**
     * End offsets of a topic, summed over its partitions: {@code stable} as a committed-only reader sees them
     * (the last stable offset: below the first record of any open transaction), {@code high} with the records
     * of open transactions. {@code high - stable > 0} while a transaction on the topic is open.
     */
    record Ends(long stable, long high) {
        long uncommitted() {
            return high - stable;
        }
    }

    static Ends ends(String bootstrap, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long stable = sum(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)));
            long high = sum(admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)));
            return new Ends(stable, high);
        } catch (Exception e) {
            throw new IllegalStateException("could not read the end offsets of " + topic, e);
        }
    }

    private static long sum(ListOffsetsResult offsets) throws Exception {
        return offsets.all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    /**
     * Puts the scenario's line into {@code matrix} ({@code events | lost | duplicates | order}), prints
     * it, and asserts that nothing was lost and, where {@code ordered}, that the first handlings of
     * each key followed the sequence. Duplicates are counted, not asserted.
     */
    static void verdict(String suite, Map<String, String> matrix, String scenario, Set<String> expected,
            Set<String> deadLettered, Ledger ledger, boolean ordered) {
        verdict(suite, matrix, scenario, expected, deadLettered, ledger, ordered, false);
    }

    /**
     * As {@link #verdict(String, Map, String, Set, Set, Ledger, boolean)}; with {@code once}, for the scenarios
     * that promise exactly-once output, it asserts no duplicates too (and names the duplicated ids).
     */
    static void verdict(String suite, Map<String, String> matrix, String scenario, Set<String> expected,
            Set<String> deadLettered, Ledger ledger, boolean ordered, boolean once) {
        Set<String> accounted = new HashSet<>(ledger.ids());
        accounted.addAll(deadLettered);
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(accounted);
        List<String> order = ordered ? ledger.orderViolations() : List.of();
        matrix.put(scenario, expected.size() + " | " + lost.size() + " | " + ledger.duplicates() + " | "
                + (!ordered ? "not kept by REDELIVER (by design)" : order.isEmpty() ? "ok" : "VIOLATED " + order));
        System.out.printf("[%s] %s: %d events, %d lost, %d duplicates%s, %d dead-lettered, order %s%n", suite,
                scenario, expected.size(), lost.size(), ledger.duplicates(), once ? " (0 promised)" : "",
                deadLettered.size(),
                !ordered ? "not checked (REDELIVER)" : order.isEmpty() ? "ok" : order);
        if (once && ledger.duplicates() > 0) {
            System.out.printf("[%s] %s: duplicated ids (id=copies, at most 50): %s%n", suite, scenario,
                    ledger.duplicated().entrySet().stream().limit(50).toList());
        }
        assertThat(lost).as(scenario + ": lost events").isEmpty();
        assertThat(order).as(scenario + ": first handlings out of sequence").isEmpty();
        if (once) {
            assertThat(ledger.duplicated()).as(scenario + ": duplicated ids (id=copies)").isEmpty();
        }
    }

    /** Prints the matrix in the table format of {@code docs/reliability.md}. */
    static void printMatrix(String suite, boolean full, String events, Map<String, String> matrix) {
        System.out.println("\n[" + suite + "] fault matrix (" + (full ? "full" : "quick") + ", " + events + ")");
        System.out.println("| scenario | events | lost | duplicates | order |");
        matrix.forEach((name, line) -> System.out.println("| " + name + " | " + line + " |"));
    }
}
