package io.eventcore.examples.spring;

import io.eventcore.outbox.OutboxPublisher;
import java.io.PrintStream;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the example does once the application is up: places {@code example.orders} orders, prints progress,
 * waits (up to {@code example.deadline}) until every order is reserved or, if poison, dead-lettered, and
 * prints a summary. Its exit code is 0 when nothing is missing, 1 otherwise.
 */
@Component
public class OrderDemo implements ApplicationRunner, ExitCodeGenerator {
    private static final long PROGRESS_EVERY = TimeUnit.SECONDS.toNanos(1);

    private final Orders orders;
    private final StockReservation stock;
    private final Tally tally;
    private final OutboxPublisher relay;
    private final JdbcTemplate jdbc;
    private final DemoSettings settings;
    private final PrintStream out = System.out;
    /** Order ids of this run start with it, so reruns against one PostgreSQL count only their own rows. */
    private final String run = "order-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private volatile int exitCode = 1;

    OrderDemo(Orders orders, StockReservation stock, Tally tally, OutboxPublisher relay, JdbcTemplate jdbc,
            DemoSettings settings) {
        this.orders = orders;
        this.stock = stock;
        this.tally = tally;
        this.relay = relay;
        this.jdbc = jdbc;
        this.settings = settings;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        out.println("database: " + jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getURL()));
        out.printf("placing %d orders, every %dth of them poison (quantity 0)%n", settings.orders(),
                settings.poisonEvery());
        long started = System.nanoTime();
        placeOrders(started);
        boolean complete = awaitCompletion(started);
        printSummary(started, complete);
        exitCode = complete ? 0 : 1;
    }

    /** @return 0 once every order was reserved or dead-lettered, 1 before that or if something is missing */
    @Override
    public int getExitCode() {
        return exitCode;
    }

    /** @return the prefix of this run's order ids */
    public String orderIdPrefix() {
        return run;
    }

    private void placeOrders(long started) {
        long nextProgress = started + PROGRESS_EVERY;
        for (int i = 0; i < settings.orders(); i++) {
            if (System.nanoTime() >= nextProgress) {
                progress(started, "placed " + i + "/" + settings.orders() + " orders");
                nextProgress = System.nanoTime() + PROGRESS_EVERY;
            }
            int quantity = settings.isPoison(i) ? 0 : 1 + i % 5;
            orders.place(run + i, "sku-" + i % 10, quantity);
        }
    }

    private boolean awaitCompletion(long started) throws InterruptedException {
        long deadline = System.nanoTime() + settings.deadline().toNanos();
        long nextProgress = 0;
        while (!complete() && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProgress) {
                progress(started, "all orders placed");
                nextProgress = System.nanoTime() + PROGRESS_EVERY;
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling cadence of the display, not synchronisation
        }
        return complete();
    }

    private boolean complete() {
        return reserved() == settings.orders() - settings.poisonOrders()
                && tally.deadLettered() == settings.poisonOrders()
                && relay.status().published() >= settings.orders();
    }

    private int reserved() {
        Integer rows = jdbc.queryForObject("SELECT COUNT(*) FROM shop_reservations WHERE order_id LIKE ?",
                Integer.class, run + "%");
        return rows == null ? 0 : rows;
    }

    private void progress(long started, String placing) {
        out.printf("  %5.1f s  %s, published %d, reserved %d, dead-lettered %d%n",
                (System.nanoTime() - started) / 1e9, placing, relay.status().published(), reserved(),
                tally.deadLettered());
    }

    private void printSummary(long started, boolean complete) {
        String line = "+----------------------+------------+";
        out.println(line);
        row("orders placed", settings.orders());
        row("events published", relay.status().published());
        row("events handled", tally.handled());
        row("stock reserved", reserved());
        row("dead-lettered", tally.deadLettered());
        row("redelivered", stock.redelivered());
        out.printf("| %-20s | %8.1f s |%n", "first order to end", (System.nanoTime() - started) / 1e9);
        out.println(line);
        out.println(complete ? "OK: every order was reserved, every poison order dead-lettered"
                : "FAILED: expected " + (settings.orders() - settings.poisonOrders()) + " reservations and "
                        + settings.poisonOrders() + " dead letters within " + settings.deadline());
    }

    private void row(String name, long value) {
        out.printf("| %-20s | %10d |%n", name, value);
    }
}
