package io.eventcore.examples.faults;

import io.eventcore.routing.EventRouter;
import io.eventcore.NonRetryableException;
import io.eventcore.transport.Ordering;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaEventConsumer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A consumer in its own JVM: args {@code bootstrap topic group ledgerFile handlerMillis concurrency [redeliver]
 * [consumer-protocol]}. With {@code redeliver}, the first attempt of every seventh step fails and is retried
 * through this group's retry topic ({@code RetryMode.REDELIVER}). With {@code consumer-protocol}, the group
 * uses KIP-848's protocol ({@code group.protocol=consumer}; session and heartbeat are then set on the broker). Every handling is appended
 * to the ledger ({@code micros id key seq}) before the handler returns, so a SIGKILL loses no record
 * of what was handled. Poison events are dead-lettered to {@code <topic>.dlq}. SIGTERM closes gracefully.
 */
public final class ConsumerWorker {
    private ConsumerWorker() {
    }

    /**
     * @param args bootstrap servers, topic, group, ledger file, handler time in ms (simulated work), concurrency,
     *     optionally {@code redeliver} and {@code consumer-protocol}
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        OutputStream ledger = new FileOutputStream(args[3], true);
        long workMillis = Long.parseLong(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        List<String> options = List.of(args).subList(6, args.length);
        boolean redeliver = options.contains("redeliver");
        // The consumer protocol rejects the classic protocol's client-side session and heartbeat settings.
        Map<String, Object> properties = options.contains("consumer-protocol") ? Map.of("group.protocol", "consumer")
                : Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");
        RetryPolicy retry = redeliver
                ? RetryPolicy.fixed(Duration.ofMillis(300)).maxAttempts(5).mode(RetryMode.REDELIVER)
                : RetryPolicy.fixed(Duration.ofMillis(20)).maxAttempts(3);
        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap)
                .sendTimeout(Duration.ofSeconds(3)).build();
        EventRouter router = EventRouter.builder()
                .route(Step.class, (event, ctx) -> {
                    Step s = event.payload();
                    if (s.poison()) {
                        throw new NonRetryableException("poison " + s.id());
                    }
                    if (redeliver && s.seq() % 7 == 3 && ctx.attempt() == 1) {
                        throw new IllegalStateException("first attempt of " + s.id() + " fails; retried later");
                    }
                    if (workMillis > 0) {
                        Thread.sleep(workMillis); // simulated work, so that kills land mid-stream
                    }
                    write(ledger, s);
                })
                .retry(retry)
                .deadLetter(dlq)
                .build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(group)
                .topics(topic).router(router).ordering(Ordering.KEY).maxConcurrency(concurrency)
                .commitInterval(Duration.ofMillis(200))
                .properties(properties)
                .build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.close(Duration.ofSeconds(10));
            router.close();
            dlq.close();
            done.countDown();
        }));
        consumer.start();
        System.out.println("consumer " + group + " started");
        done.await();
    }

    static void write(OutputStream ledger, Step s) {
        String line = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) + " " + s.id() + " " + s.key() + " "
                + s.seq() + "\n";
        synchronized (ledger) {
            try {
                ledger.write(line.getBytes(StandardCharsets.UTF_8));
                ledger.flush();
            } catch (IOException e) {
                throw new IllegalStateException("ledger write failed", e);
            }
        }
    }
}
