package io.eventcore.kafka;

import static io.eventcore.kafka.LoopHarness.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventcore.EventHandler;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a JVM with virtual threads (JDK 21+; CI runs it on JDK 25): handlers that block (1 ms sleeps) on the
 * consumer's virtual workers, through single and batch routes, never pin a carrier thread. JFR's
 * {@code jdk.VirtualThreadPinned} events, at a zero threshold, are the evidence. Skipped on JDK 17.
 */
class PinnedCarrierTest {
    record Order(String id) {
    }

    private final LoopHarness h = new LoopHarness();
    private final TopicPartition p0 = new TopicPartition("orders", 0);
    private final TopicPartition p1 = new TopicPartition("orders", 1);

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void blockingHandlersOnVirtualWorkers_pinNoCarrier(@TempDir Path dir) throws Exception {
        assumeTrue(VirtualWorkers.available(), "virtual threads need JDK 21+; this is Java "
                + Runtime.version().feature());
        AtomicInteger handled = new AtomicInteger();
        EventHandler<Order> blocking = (e, c) -> {
            Thread.sleep(1);
            handled.incrementAndGet();
        };
        EventRouter router = EventRouter.builder().route("Order", Order.class, blocking)
                .routeBatch("Batch", Order.class, (events, ctx) -> {
                    Thread.sleep(1);
                    handled.addAndGet(events.size());
                }).build();
        h.knobs.ordering = Ordering.KEY;
        Path file = dir.resolve("pinned.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();
            h.start(router, List.of(p0, p1));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                ConsumerRecord<byte[], byte[]> r = rec(i % 2 == 0 ? p0 : p1, i / 2, "k" + (i % 40), "o-" + i);
                if (i % 3 == 0) {
                    r.headers().remove(io.eventcore.EventHeaders.EVENT_TYPE);
                    r.headers().add(io.eventcore.EventHeaders.EVENT_TYPE, "Batch".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                records.add(r);
            }
            h.consumer.schedulePollTask(() -> records.forEach(h.consumer::addRecord));
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() -> handled.get() == 400);
            recording.stop();
            recording.dump(file);
        }
        assertThat(Files.size(file)).isPositive();
        List<RecordedEvent> pinned = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.VirtualThreadPinned")).toList();
        assertThat(pinned).as("pinned carriers:%n%s", describe(pinned)).isEmpty();
    }

    private static String describe(List<RecordedEvent> events) {
        return events.stream().limit(5).map(e -> e.getStackTrace() == null ? "(no stack)"
                : e.getStackTrace().getFrames().stream().limit(15).map(RecordedFrame::toString)
                        .collect(Collectors.joining("\n  "))).collect(Collectors.joining("\n---\n"));
    }
}
