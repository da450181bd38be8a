package io.eventcore.benchmarks;

import io.eventcore.Event;
import io.eventcore.routing.EventRouter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * (e) Memory: publishes and consumes events end to end in a child JVM limited to {@code -Xmx64m}, and
 * reports whether it completed, its peak heap and its peak resident set size.
 */
final class MemoryWorkload {
    private final String bootstrap;
    private final int events;

    MemoryWorkload(String bootstrap, int events) {
        this.bootstrap = bootstrap;
        this.events = events;
    }

    void run(Results results) throws Exception {
        System.out.printf("%n(e) memory: %,d events end to end in a JVM with -Xmx64m%n", events);
        Kafka.createTopic(bootstrap, "bench-memory", 12);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                MemoryWorkload.class.getName(), bootstrap, String.valueOf(events)).redirectErrorStream(true).start();
        String line;
        String figures = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            while ((line = out.readLine()) != null) {
                if (line.startsWith("MEMORY ")) {
                    figures = line.substring(7);
                } else if (!line.isBlank() && !line.contains("WARN")) {
                    System.out.println("  | " + line);
                }
            }
        }
        boolean ok = p.waitFor(30, TimeUnit.MINUTES) && p.exitValue() == 0 && figures != null;
        if (!ok) {
            results.add("memory: completed with -Xmx64m (1 = yes)", 0, "bool");
            return;
        }
        String[] f = figures.split(" ");
        results.add("memory: completed with -Xmx64m (1 = yes)", 1, "bool");
        results.add("memory: events per second under -Xmx64m", Double.parseDouble(f[0]), "events/s");
        results.add("memory: peak heap used (sampled every 10 ms)", Double.parseDouble(f[1]), "MiB");
        results.add("memory: peak RSS", Double.parseDouble(f[2]), "MiB");
    }

    /**
     * The child JVM.
     *
     * @param args bootstrap servers, event count
     * @throws Exception on failure (exit code 1)
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int count = Integer.parseInt(args[1]);
        LongAdder handled = new LongAdder();
        java.util.concurrent.atomic.AtomicLong peakHeap = new java.util.concurrent.atomic.AtomicLong();
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        EventRouter router = EventRouter.builder().route(Payloads.OrderPlaced.class, (e, c) -> handled.increment())
                .retry(RetryPolicy.none()).build();
        long start = System.nanoTime();
        try (KafkaEventPublisher publisher = KafkaEventPublisher.builder().bootstrapServers(bootstrap)
                .topic("bench-memory").build();
                KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap)
                        .groupId("memory").topics("bench-memory").router(router).retryTopics(false)
                        .properties(Map.of("auto.offset.reset", "earliest")).build()) {
            consumer.start();
            for (int from = 0; from < count; from += 1000) {
                List<Event<?>> batch = new ArrayList<>(1000);
                for (int i = from; i < Math.min(count, from + 1000); i++) {
                    String key = "key-" + (i % 10_000);
                    batch.add(Event.of(key, Payloads.order(key, i)).withHeaders(java.util.Map.of(
                            io.eventcore.EventHeaders.TRACEPARENT, PublishedRecords.traceparent(i))));
                }
                publisher.publishAll(batch).toCompletableFuture().join();
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (handled.sum() < count && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        } finally {
            router.close();
        }
        if (handled.sum() < count) {
            System.out.println("only " + handled.sum() + " of " + count + " handled");
            System.exit(1);
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        sampler.interrupt();
        long rssKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
        System.out.printf(java.util.Locale.ROOT, "MEMORY %.1f %.1f %.1f%n", rate, peakHeap.get() / 1048576.0,
                rssKb / 1024.0);
        System.exit(0);
    }
}
