package io.eventcore.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
     * Reads a topic from the start with a fresh consumer; each record becomes a ledger entry ordered by
     * offset (a key lives in one partition). Stops one quiet second after {@code atLeast} distinct ids
     * arrived, or at the deadline (the caller's assertions then name what is missing).
     */
    static Ledger readTopic(String bootstrap, String topic, int atLeast, Duration deadline) {
        Ledger ledger = new Ledger();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
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
     * Puts the scenario's line into {@code matrix} ({@code events | lost | duplicates | order}), prints
     * it, and asserts that nothing was lost and, where {@code ordered}, that the first handlings of
     * each key followed the sequence.
     */
    static void verdict(String suite, Map<String, String> matrix, String scenario, Set<String> expected,
            Set<String> deadLettered, Ledger ledger, boolean ordered) {
        Set<String> accounted = new HashSet<>(ledger.ids());
        accounted.addAll(deadLettered);
        Set<String> lost = new HashSet<>(expected);
        lost.removeAll(accounted);
        List<String> order = ordered ? ledger.orderViolations() : List.of();
        matrix.put(scenario, expected.size() + " | " + lost.size() + " | " + ledger.duplicates() + " | "
                + (!ordered ? "not kept by REDELIVER (by design)" : order.isEmpty() ? "ok" : "VIOLATED " + order));
        System.out.printf("[%s] %s: %d events, %d lost, %d duplicates, %d dead-lettered, order %s%n", suite,
                scenario, expected.size(), lost.size(), ledger.duplicates(), deadLettered.size(),
                !ordered ? "not checked (REDELIVER)" : order.isEmpty() ? "ok" : order);
        assertThat(lost).as(scenario + ": lost events").isEmpty();
        assertThat(order).as(scenario + ": first handlings out of sequence").isEmpty();
    }

    /** Prints the matrix in the table format of {@code docs/reliability.md}. */
    static void printMatrix(String suite, boolean full, String events, Map<String, String> matrix) {
        System.out.println("\n[" + suite + "] fault matrix (" + (full ? "full" : "quick") + ", " + events + ")");
        System.out.println("| scenario | events | lost | duplicates | order |");
        matrix.forEach((name, line) -> System.out.println("| " + name + " | " + line + " |"));
    }
}
