package io.eventcore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderServiceTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return OrderService.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String row(String name, Object value) {
        return String.format("| %-20s | %10s |", name, value);
    }

    @Test
    void embeddedDefaults_handleOrDeadLetterEveryEvent() {
        int code = run("--orders", "200");
        String summary = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(summary + err.toString(StandardCharsets.UTF_8)).isZero();
        // 200 orders, 2 events each; orders 3, 13, 23... fail once; cancelled orders 0 and 100 fail for good.
        assertThat(summary).contains(row("orders", 200), row("events published", 400), row("handled", 398),
                row("retried", 20), row("dead-lettered", 2), row("duplicates", 0))
                .contains("OK: every published event was handled or dead-lettered")
                .contains("ready in").contains("| start-up ").contains("| first publish to end ")
                .contains("all orders placed, published");
    }

    @Test
    void invalidOptions_printUsage_andExit2() {
        assertThat(run("--orders", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--orders must be a number, but was 'many'")
                .contains("usage: OrderService");
        assertThat(run("--bootstrap-servers", "no-port")).isEqualTo(2);
        assertThat(run("--colour", "blue")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --colour");
        assertThat(run("--orders")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
