package io.eventcore.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.eventcore.codec.EventCodec;
import io.eventcore.outbox.OutboxEvent;
import io.eventcore.outbox.OutboxLease;
import io.eventcore.outbox.OutboxStore;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * (f) The relay's fetch on a large backlog: time per 500-row batch read from a shard's lease at 10,000
 * pending rows (the baseline) and at {@code rows} pending rows (1M by default), with the 1.2 KB payload
 * and 500 keys the outbox workload uses; on PostgreSQL also under generic plans
 * ({@code plan_cache_mode=force_generic_plan}, what statement-caching pools get), and the backlog
 * statistics call. Run alone: {@code --only fetch --db postgres,mariadb}.
 */
final class FetchWorkload {
    private static final String TABLE = "bench_fetch";
    private static final int BATCH = 500;
    private static final int REPEATS = 15;
    private static final int SHARDS_MEASURED = 4;
    private final String database;
    private final int rows;

    FetchWorkload(String database, int rows) {
        this.database = database;
        this.rows = rows;
    }

    void run(Results results) throws Exception {
        boolean maria = "mariadb".equals(database);
        DataSource db = maria ? TestDatabase.mariadb().dataSource() : TestDatabase.postgres().dataSource();
        String name = maria ? "MariaDB" : "PostgreSQL";
        System.out.printf("%n(f) fetch on a large backlog: %s, 10,000 then %,d pending rows, %d-row batches%n",
                name, rows, BATCH);
        try (HikariDataSource pool = pool(db, null);
                HikariDataSource generic = maria ? null : pool(db, "SET plan_cache_mode = force_generic_plan")) {
            JdbcOutbox outbox = JdbcOutbox.builder(pool).table(TABLE).build();
            outbox.createSchema();
            TestDatabase.emptyOutbox(pool, TABLE);
            fill(outbox, 10_000);
            medianFetchMillis(outbox.store()); // a first round warms the JIT, the pool and the statement caches
            double small = medianFetchMillis(outbox.store());
            long filling = System.nanoTime();
            fill(outbox, rows - 10_000);
            System.out.printf("  filled %,d rows in %.0f s%n", rows, (System.nanoTime() - filling) / 1e9);
            double large = medianFetchMillis(outbox.store());
            results.add("outbox fetch per batch at " + rows / 1000 + "k pending (" + name + ")", large, "ms",
                    "the same fetch at 10k pending", small, false);
            if (generic != null) {
                JdbcOutbox genericOutbox = JdbcOutbox.builder(generic).table(TABLE).build();
                double forced = medianFetchMillis(genericOutbox.store());
                results.add("outbox fetch per batch at " + rows / 1000 + "k pending, generic plans (" + name + ")",
                        forced, "ms", "custom plans, same backlog", large, false);
                genericOutbox.close();
            }
            double[] backlog = new double[5];
            long pending = 0;
            for (int i = 0; i < backlog.length; i++) {
                long started = System.nanoTime();
                pending = outbox.store().backlog().pending();
                backlog[i] = (System.nanoTime() - started) / 1e6;
            }
            System.out.printf("  backlog(): %,d pending (estimate above 10,000), first call %.1f ms, then %s ms%n",
                    pending, backlog[0], Arrays.toString(Arrays.copyOfRange(backlog, 1, backlog.length)));
            Arrays.sort(backlog, 1, backlog.length);
            double backlogMillis = backlog[3];
            results.add("outbox backlog statistics at " + rows / 1000 + "k pending (" + name + ")", backlogMillis, "ms");
            TestDatabase.emptyOutbox(pool, TABLE);
            outbox.close();
        }
    }

    private static HikariDataSource pool(DataSource db, String initSql) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(db);
        config.setMaximumPoolSize(4);
        if (initSql != null) {
            config.setConnectionInitSql(initSql);
        }
        return new HikariDataSource(config);
    }

    /** @return the median time of one batch fetch over a few shards, each fetched repeatedly */
    private static double medianFetchMillis(OutboxStore store) {
        String relay = "bench-fetch-" + System.nanoTime();
        Duration ttl = Duration.ofMinutes(5);
        store.heartbeat(relay, Instant.now(), ttl);
        List<Double> samples = new ArrayList<>();
        for (int shard = 0; shard < SHARDS_MEASURED; shard++) {
            OutboxLease lease = store.acquire(shard, relay, Instant.now(), ttl)
                    .orElseThrow(() -> new IllegalStateException("shard lease not free"));
            for (int i = 0; i < REPEATS; i++) {
                long started = System.nanoTime();
                int read = store.fetch(lease, Instant.now(), BATCH).size();
                double millis = (System.nanoTime() - started) / 1e6;
                if (read < BATCH) {
                    throw new IllegalStateException("shard " + shard + " gave " + read + " rows, expected " + BATCH);
                }
                if (i >= 3) {
                    samples.add(millis); // the first fetches warm caches and the JIT
                }
            }
            store.release(lease);
        }
        store.leave(relay);
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted[sorted.length / 2];
        System.out.printf("  fetch of %d rows: median %.2f ms, p90 %.2f ms, max %.2f ms (%d samples)%n", BATCH, median,
                sorted[(int) (sorted.length * 0.9)], sorted[sorted.length - 1], sorted.length);
        return median;
    }

    private static void fill(JdbcOutbox outbox, int count) {
        byte[] payload = Payloads.json(EventCodec.json(), "order", 1);
        int tx = 2_000;
        for (int from = 0; from < count; from += tx) {
            OutboxEvent[] events = new OutboxEvent[Math.min(tx, count - from)];
            for (int i = 0; i < events.length; i++) {
                events[i] = OutboxEvent.builder("Order", "key-" + ((from + i) % 500))
                        .rawPayload("OrderPlaced", payload).build();
            }
            outbox.inTransaction(c -> {
                outbox.append(c, Arrays.asList(events));
                return null;
            });
        }
    }
}
