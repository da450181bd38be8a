package io.eventcore.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (n) Consume &rarr; produce exactly once on real processes: a pipeline stage in a child JVM reads steps, publishes
 * each to an output topic in exactly-once mode, and is SIGKILLed three times mid-stream and restarted. A
 * {@code read_committed} reader of the output must see every step once, per key in order; the handlings (the
 * stage's ledger) may repeat, which the matrix reports apart as deliveries.
 *
 * <p>Quick profile (default, part of {@code ./mvnw verify}): 2,000 events. Full profile ({@code -Pfaults}): 20,000.
 */
class PipelineFaultSuiteIT {
    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final int N = FULL ? 20_000 : 2_000;
    private static final Duration DEADLINE = Duration.ofMinutes(FULL ? 10 : 3);
    private static final Map<String, String> MATRIX = new LinkedHashMap<>();
    private static KafkaBrokerProcess broker;
    private static Path work;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = KafkaBrokerProcess.start();
        work = Files.createTempDirectory("eventcore-faults-n-");
    }

    @AfterAll
    static void printMatrix() {
        if (broker != null) {
            broker.close();
        }
        FaultKit.printMatrix("PipelineFaultSuiteIT", FULL, N + " events", MATRIX);
    }

    private ChildJvm stage(String in, String out, String group, Path ledger, int round) {
        return ChildJvm.start("pipeline-" + round, work.resolve("pipeline-" + round + ".log"), PipelineWorker.class,
                broker.bootstrapServers(), in, out, group, ledger.toString(), "1");
    }

    @Test
    void n_consumeProducePipeline_consumerSigkilledThreeTimes() throws Exception {
        String in = "faults-n-in";
        String out = "faults-n-out";
        KafkaTopics.create(Map.of("bootstrap.servers", broker.bootstrapServers()), 6, Map.of(), in, out);
        List<Step> steps = FaultKit.steps("n", N, 0);
        try (KafkaEventPublisher p = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                .topic(in).build()) {
            for (int i = 0; i < steps.size(); i += 500) {
                p.publishAll(steps.subList(i, Math.min(steps.size(), i + 500)).stream()
                        .<Event<?>>map(s -> Event.of(s.key(), s)).toList()).toCompletableFuture().join();
            }
        }
        Path ledger = work.resolve("n.ledger");
        Files.createFile(ledger);
        List<ChildJvm> stages = new ArrayList<>();
        Ledger output;
        try {
            for (int kill = 1; kill <= 3; kill++) {
                ChildJvm stage = stage(in, out, "faults-n", ledger, kill);
                stages.add(stage);
                int target = N * kill / 4;
                FaultKit.await("(n) the stage handled " + target + " before kill " + kill, DEADLINE,
                        () -> FaultKit.handled(List.of(ledger)) >= target);
                stage.kill();
            }
            stages.add(stage(in, out, "faults-n", ledger, 4));
            FaultKit.await("(n) every step handled", DEADLINE, () -> FaultKit.handled(List.of(ledger)) >= N);
            // The last stage runs on while the output is read: what it handled last commits with its next commit.
            output = FaultKit.readTopic(broker.bootstrapServers(), out, N, DEADLINE);
        } finally {
            stages.forEach(ChildJvm::close);
        }
        int deliveries = Ledger.read(List.of(ledger)).duplicates();
        FaultKit.verdict("PipelineFaultSuiteIT", MATRIX, "(n) consume -> produce, stage SIGKILLed 3 times",
                FaultKit.ids(steps), Set.of(), output, true);
        System.out.printf("[PipelineFaultSuiteIT] (n): %d repeated handlings (deliveries), %d duplicates in the "
                + "output for a read_committed reader%n", deliveries, output.duplicates());
        assertThat(output.duplicates()).as("(n) duplicates in the output topic for a read_committed reader").isZero();
    }
}
