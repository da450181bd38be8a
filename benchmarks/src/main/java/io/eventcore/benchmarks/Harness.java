package io.eventcore.benchmarks;

import io.eventcore.test.KafkaBrokerProcess;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The end-to-end benchmark harness: eventcore next to hand-written baselines, in the same run,
 * against a real single-node KRaft broker in a child JVM. Run it with
 * {@code ./mvnw -q -DskipTests -Pbench verify -Dbench.args="--quick"}; options: {@code --quick},
 * {@code --only overhead,parallelism,latency,outbox,memory}, {@code --jdbc-url URL} (PostgreSQL; default
 * {@code jdbc:postgresql://127.0.0.1:5432/test} as user postgres, else embedded PostgreSQL),
 * {@code --db postgres,mariadb} (outbox databases, in that order; MariaDB is the test kit's, 127.0.0.1:3306),
 * {@code --outbox-rows N}, {@code --outbox-throughput-only} (skip the outbox latency runs),
 * {@code --outbox-no-pool} (the outbox opens a connection per operation instead of using a HikariCP pool);
 * {@code --only fetch} runs the large-backlog fetch workload (not in the default set: it writes 1M rows per
 * database), {@code --fetch-rows N} changes its row count; {@code --profile} adds a JFR-profiled PARTITION run to
 * the overhead workload and prints its hottest frames; {@code --payload json,protobuf} runs the overhead
 * workload once per payload format (default {@code json}); {@code --only inbox} runs the inbox workload
 * (PostgreSQL; not in the default set); {@code --only share} runs share groups against the {@code KEY} consumer
 * (not in the default set); {@code --only pipeline} runs consume &rarr; produce with and without
 * exactly-once transactions (not in the default set).
 */
public final class Harness {
    private Harness() {
    }

    /**
     * @param args options, see the class comment
     * @throws Exception if a workload fails
     */
    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        boolean quick = list.contains("--quick");
        Set<String> only = new LinkedHashSet<>(List.of("overhead", "parallelism", "latency", "outbox", "memory"));
        int i = list.indexOf("--only");
        if (i >= 0 && i + 1 < list.size()) {
            only = new LinkedHashSet<>(List.of(list.get(i + 1).split(",")));
        }
        int f = list.indexOf("--fetch-rows");
        int fetchRows = f >= 0 && f + 1 < list.size() ? Integer.parseInt(list.get(f + 1)) : 1_000_000;
        int u = list.indexOf("--jdbc-url");
        String jdbcUrl = u >= 0 && u + 1 < list.size() ? list.get(u + 1) : null;
        int d = list.indexOf("--db");
        List<String> databases = d >= 0 && d + 1 < list.size() ? List.of(list.get(d + 1).split(","))
                : List.of("postgres");
        int r = list.indexOf("--outbox-rows");
        int outboxRows = r >= 0 && r + 1 < list.size() ? Integer.parseInt(list.get(r + 1)) : 0;
        boolean throughputOnly = list.contains("--outbox-throughput-only");
        String mode = quick ? "quick" : "full";
        System.out.printf("eventcore benchmark harness (%s): %d cores, Java %s%n", mode,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Results results = new Results();
        long started = System.nanoTime();
        if (!Set.of("fetch").containsAll(only)) { // every workload but fetch needs the broker
            runWithBroker(only, list, quick, databases, jdbcUrl, outboxRows, throughputOnly, results);
        }
        if (only.contains("fetch")) {
            for (String database : databases) {
                new FetchWorkload(database, fetchRows).run(results);
            }
        }
        finish(results, mode, started);
        // Confluent Parallel Consumer was seen leaving its non-daemon threads behind after close.
        System.exit(0);
    }

    private static void runWithBroker(Set<String> only, List<String> list, boolean quick, List<String> databases,
            String jdbcUrl, int outboxRows, boolean throughputOnly, Results results) throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
            String bootstrap = broker.bootstrapServers();
            System.out.println("broker: child JVM at " + bootstrap);
            if (only.contains("overhead")) {
                int p = list.indexOf("--payload");
                List<String> formats = p >= 0 && p + 1 < list.size() ? List.of(list.get(p + 1).split(",")) : List.of("json");
                for (String format : formats) {
                    new OverheadWorkload(bootstrap, quick ? 200_000 : 1_000_000, list.contains("--profile"),
                            PayloadFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT))).run(results);
                }
            }
            if (only.contains("parallelism")) {
                new ParallelismWorkload(bootstrap, quick ? 20_000 : 100_000, list.contains("--profile")).run(results);
            }
            if (only.contains("latency")) {
                new LatencyWorkload(bootstrap, quick ? 6 : 60).run(results);
            }
            if (only.contains("outbox")) {
                for (String database : databases) {
                    new OutboxWorkload(bootstrap, jdbcUrl, database, outboxRows > 0 ? outboxRows
                            : quick ? 20_000 : 100_000, throughputOnly ? 0 : quick ? 6 : 30,
                            !list.contains("--outbox-no-pool")).run(results);
                }
            }
            if (only.contains("pipeline")) {
                new PipelineWorkload(bootstrap, quick ? 20_000 : 100_000).run(results);
            }
            if (only.contains("share")) {
                new ShareWorkload(bootstrap, quick ? 20_000 : 100_000).run(results);
            }
            if (only.contains("inbox")) {
                new InboxWorkload(bootstrap, jdbcUrl, quick ? 20_000 : 100_000).run(results);
            }
            if (only.contains("memory")) {
                new MemoryWorkload(bootstrap, quick ? 100_000 : 1_000_000).run(results);
            }
        }
    }

    private static void finish(Results results, String mode, long started) {
        results.printTable();
        Path file = results.write(Path.of("target", "benchmarks"), mode);
        System.out.printf("%nresults: %s (%.0f s)%n", file.toAbsolutePath(), (System.nanoTime() - started) / 1e9);
    }
}
