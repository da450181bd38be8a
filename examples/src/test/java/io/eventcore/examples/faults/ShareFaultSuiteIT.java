package io.eventcore.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.test.KafkaBrokerProcess;
import io.eventcore.test.KafkaTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Scenario (o), issue 26: three members of one share group on a one-partition topic, one of them SIGKILLed twice
 * mid-stream (and started again); the records it held return to the group when their acquisition locks expire.
 * Quick profile: 1,000 events; full ({@code -Dfaults.full=true}): 20,000. Lost must be 0; duplicate handlings (the
 * killed member's unacknowledged work, done again) are counted, not failed.
 */
class ShareFaultSuiteIT {
    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final int N = FULL ? 20_000 : 1_000;
    private static final Duration DEADLINE = Duration.ofMinutes(FULL ? 10 : 3);

    @Test
    void o_shareMemberSigkilledTwice_nothingLost() throws Exception {
        Path work = Files.createTempDirectory("eventcore-share-faults-");
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(KafkaBrokerProcess.Security.PLAINTEXT,
                Map.of("group.share.record.lock.duration.ms", "5000", "group.share.min.record.lock.duration.ms", "1000",
                        "group.share.heartbeat.interval.ms", "1000", "group.share.min.heartbeat.interval.ms", "1000",
                        "group.share.session.timeout.ms", "6000", "group.share.min.session.timeout.ms", "6000"))) {
            String topic = "faults-o";
            KafkaTopics.create(Map.of("bootstrap.servers", broker.bootstrapServers()), 1, Map.of(), topic, topic + ".dlq");
            List<Step> steps = FaultKit.steps("o", N, 0);
            try (KafkaEventPublisher p = KafkaEventPublisher.builder().bootstrapServers(broker.bootstrapServers())
                    .topic(topic).build()) {
                for (int i = 0; i < steps.size(); i += 500) {
                    List<Event<?>> batch = new ArrayList<>();
                    steps.subList(i, Math.min(steps.size(), i + 500)).forEach(s -> batch.add(Event.of(s.key(), s)));
                    p.publishAll(batch).toCompletableFuture().join();
                }
            }
            List<Path> ledgers = new ArrayList<>();
            List<ChildJvm> steady = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                Path ledger = work.resolve("o-steady-" + m + ".ledger");
                ledgers.add(ledger);
                steady.add(member(broker, work, "o-steady-" + m, topic, ledger));
            }
            try {
                for (int round = 0; round < 2; round++) {
                    Path ledger = work.resolve("o-victim-" + round + ".ledger");
                    ledgers.add(ledger);
                    ChildJvm victim = member(broker, work, "o-victim-" + round, topic, ledger);
                    int target = N * (round + 1) / 3;
                    FaultKit.await("o: round " + round, DEADLINE, () -> FaultKit.handled(ledgers) >= target);
                    victim.kill();
                }
                FaultKit.await("o: every event handled", DEADLINE, () -> FaultKit.handled(ledgers) >= N);
            } finally {
                steady.forEach(ChildJvm::stop);
            }
            Ledger all = Ledger.read(ledgers);
            Set<String> lost = new HashSet<>(FaultKit.ids(steps));
            lost.removeAll(all.ids());
            System.out.printf("[ShareFaultSuiteIT] (o) share member SIGKILLed twice: %d events, %d lost, %d duplicate"
                    + " handlings%n", N, lost.size(), all.duplicates());
            assertThat(lost).as("(o) events never handled").isEmpty();
        }
    }

    private static ChildJvm member(KafkaBrokerProcess broker, Path work, String name, String topic, Path ledger) {
        return ChildJvm.start(name, work.resolve(name + ".log"), ShareWorker.class, broker.bootstrapServers(), topic,
                "o-workers", ledger.toString(), "2");
    }
}
