package io.eventcore.examples.faults;

import io.eventcore.transport.TopicNaming;
import io.eventcore.outbox.OutboxPublisher;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.outbox.jdbc.JdbcOutbox;
import io.eventcore.test.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * An outbox relay in its own JVM: args {@code jdbcUrl table bootstrap topic relayId}. Lease time to
 * live 2 s, so a killed relay's shards are taken over quickly. SIGTERM closes gracefully.
 */
public final class RelayWorker {
    private RelayWorker() {
    }

    /**
     * @param args JDBC URL (user postgres), outbox table, bootstrap servers, topic, relay id
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        JdbcOutbox outbox = JdbcOutbox.builder(TestDatabase.driverManager(args[0], "postgres", "")).table(args[1])
                .dialect(io.eventcore.outbox.jdbc.Dialect.POSTGRESQL).build(); // starts even while the database is down
        String topic = args[3];
        KafkaEventPublisher kafka = KafkaEventPublisher.builder().bootstrapServers(args[2]).topic(topic)
                .properties(Map.of("delivery.timeout.ms", "8000", "request.timeout.ms", "3000", "max.block.ms", "3000"))
                .build();
        OutboxPublisher relay = OutboxPublisher.builder().store(outbox.store()).publisher(kafka).relayId(args[4])
                .topicNaming(TopicNaming.fixed(topic)).leaseTtl(Duration.ofSeconds(2)).sendTimeout(Duration.ofSeconds(10))
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
        done.await();
    }
}
