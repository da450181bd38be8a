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
 * {@code --outbox-no-pool} (the outbox opens a connection per operation instead of using a HikariCP pool).
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
            only.retainAll(List.of(list.get(i + 1).split(",")));
        }
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
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start()) {
            String bootstrap = broker.bootstrapServers();
            System.out.println("broker: child JVM at " + bootstrap);
            if (only.contains("overhead")) {
                new OverheadWorkload(bootstrap, quick ? 200_000 : 1_000_000).run(results);
            }
            if (only.contains("parallelism")) {
                new ParallelismWorkload(bootstrap, quick ? 20_000 : 100_000).run(results);
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
            if (only.contains("memory")) {
                new MemoryWorkload(bootstrap, quick ? 100_000 : 1_000_000).run(results);
            }
        }
        results.printTable();
        Path file = results.write(Path.of("target", "benchmarks"), mode);
        System.out.printf("%nresults: %s (%.0f s)%n", file.toAbsolutePath(), (System.nanoTime() - started) / 1e9);
    }
}
