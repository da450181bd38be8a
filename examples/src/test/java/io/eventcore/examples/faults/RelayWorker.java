package io.eventcore.examples.faults;

import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.TopicNaming;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.outbox.OutboxStatus;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.TestDatabase;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An outbox relay in its own JVM: args {@code jdbcUrl table bootstrap topic relayId [hold-in-flight]
 * [send-timeout-seconds=<n>]}. Lease time to live 2 s, so a killed relay's shards are taken over quickly; send
 * timeout 10 s unless given. SIGTERM closes gracefully.
 *
 * <p>Prints {@code relay <id> started}, then, polling {@link OutboxPublisher#status()} every 200 ms,
 * {@code shards [..] at <time>} whenever the shards it holds change, {@code fenced <n> at <time>} whenever its
 * count of fence rejections grows and {@code error <last error> at <time>} whenever its last error changes. With
 * {@code hold-in-flight}, its publisher is an {@link InFlightHold}: it prints {@code in-flight ...} and holds one
 * transaction, sent but not committed, until the JVM is paused and resumed (or killed).
 */
public final class RelayWorker {
    /** Option: the relay's send timeout in seconds (default 10), e.g. {@code send-timeout-seconds=60}. */
    static final String SEND_TIMEOUT = "send-timeout-seconds=";

    private RelayWorker() {
    }

    /**
     * @param args JDBC URL (user postgres), outbox table, bootstrap servers, topic, relay id, optionally
     *     {@code hold-in-flight} and {@code send-timeout-seconds=<n>}
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder(TestDatabase.driverManager(args[0], "postgres", "")).table(args[1])
                .dialect(io.eventcore.outbox.jdbc.Dialect.POSTGRESQL).build(); // starts even while the database is down
        String topic = args[3];
        KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(args[2]).topic(topic)
                .properties(Map.of("delivery.timeout.ms", "8000", "request.timeout.ms", "3000", "max.block.ms", "3000"))
                .build();
        List<String> options = List.of(args).subList(5, args.length);
        EventPublisher publisher = options.contains("hold-in-flight") ? new InFlightHold(kafka) : kafka;
        Duration sendTimeout = options.stream().filter(o -> o.startsWith(SEND_TIMEOUT)).findFirst()
                .map(o -> Duration.ofSeconds(Long.parseLong(o.substring(SEND_TIMEOUT.length()))))
                .orElse(Duration.ofSeconds(10));
        OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(publisher).relayId(args[4])
                .topicNaming(TopicNaming.fixed(topic)).leaseTtl(Duration.ofSeconds(2)).sendTimeout(sendTimeout)
                .maxPollInterval(Duration.ofMillis(200)).batchSize(200).build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close(Duration.ofSeconds(5));
            kafka.close();
            outbox.close();
            done.countDown();
        }));
        relay.start();
        System.out.println("relay " + args[4] + " started");
        Thread reporter = new Thread(() -> report(relay), "relay-status-reporter");
        reporter.setDaemon(true);
        reporter.start();
        done.await();
    }

    /**
     * Prints the held shards when they change, the fence rejections when they grow and the relay's last error when
     * it changes, every 200 ms.
     */
    private static void report(OutboxPublisher relay) {
        long fenced = 0;
        List<Integer> shards = List.of();
        String error = null;
        while (true) {
            OutboxStatus status = relay.status();
            if (status.lastError() != null && !status.lastError().equals(error)) {
                System.out.println("error " + status.lastError() + " at " + LocalTime.now());
            }
            error = status.lastError();
            if (status.fenceRejections() > fenced) {
                fenced = status.fenceRejections();
                System.out.println("fenced " + fenced + " at " + LocalTime.now());
            }
            if (!status.shards().equals(shards)) {
                shards = status.shards();
                System.out.println("shards " + shards + " at " + LocalTime.now());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
