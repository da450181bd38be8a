package io.eventcore.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.NonRetryableException;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.micrometer.MicrometerInstrumentation;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.eventcore.retry.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What operators read: a skipped record is one WARN line (rate-limited), a dead letter one WARN line. */
class RouterLogLinesTest {
    record Paid(String id) {
    }

    private static InboundMessage message(String type, String value, long offset) {
        InboundMessage.Builder b = InboundMessage.builder("payments").partition(3).offset(offset).value(value);
        return type == null ? b.build() : b.header(EventHeaders.EVENT_TYPE, type).build();
    }

    private static List<String> stderrOf(Runnable work) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\\R")).filter(l -> !l.isBlank())
                .toList();
    }

    @Test
    void skip_logsTheRecordAndWhy_atWarn_atMostOneLinePerSecond() {
        try (EventRouter router = EventRouter.builder().route(Paid.class, (e, c) -> { })
                .onUnknownType(UnknownTypePolicy.SKIP).build()) {
            List<String> lines = stderrOf(() -> {
                assertThat(router.dispatch(message(null, "not json at all", 41)).toCompletableFuture().join()
                        .outcome()).isEqualTo(DispatchOutcome.SKIPPED);
                for (int i = 0; i < 5; i++) {
                    router.dispatch(message("Refunded", "{}", 42 + i)).toCompletableFuture().join();
                }
            });
            assertThat(lines).as("one line for the first skip, the next five held back").singleElement()
                    .satisfies(line -> assertThat(line).contains("WARN").contains("payments-3@41")
                            .contains("onUnknownType SKIP").contains("no event type in header"));
            long[] next = {100};
            List<String> later = new ArrayList<>();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
                later.addAll(stderrOf(() -> router.dispatch(message("Refunded", "{}", next[0]++))
                        .toCompletableFuture().join()));
                return !later.isEmpty();
            });
            assertThat(later.get(0)).contains("WARN").contains("no route for event type 'Refunded'")
                    .contains("more skipped in the last second, not logged");
        }
    }

    @Test
    void deadLetter_isOneWarnLine_withoutTheStackTrace() {
        List<DeadLetter> letters = new ArrayList<>();
        try (EventRouter router = EventRouter.builder().route(Paid.class, (e, c) -> {
            throw new NonRetryableException("card declined");
        }).deadLetter(letters::add).build()) {
            List<String> lines = stderrOf(() -> assertThat(router.dispatch(message("Paid", "{\"id\":\"p-1\"}", 7))
                    .toCompletableFuture().join().outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED));
            assertThat(lines).singleElement().satisfies(line -> assertThat(line).contains("WARN")
                    .contains("dead-lettering event").contains("card declined"));
            assertThat(letters).singleElement().satisfies(l -> assertThat(l.message()).isEqualTo("card declined"));
        }
    }

    @Test
    void retries_areCountedAs_eventcoreProcessRetry() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        AtomicInteger calls = new AtomicInteger();
        try (EventRouter router = EventRouter.builder().route(Paid.class, (e, c) -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky");
            }
        }).retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3)).deadLetter(d -> { })
                .instrumentation(MicrometerInstrumentation.of(observations)).build()) {
            assertThat(router.dispatch(message("Paid", "{\"id\":\"p-1\"}", 1)).toCompletableFuture().join().outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
        }
        assertThat(meters.get("eventcore.process.retry").counter().count()).isEqualTo(2);
        assertThat(meters.find("eventcore.process.eventcore.retry").meters()).isEmpty();
    }
}
