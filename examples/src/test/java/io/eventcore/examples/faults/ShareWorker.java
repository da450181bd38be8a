package io.eventcore.examples.faults;

import io.eventcore.kafka.KafkaDeadLetterSink;
import io.eventcore.kafka.KafkaShareEventConsumer;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.EventRouter;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A share-group member in its own JVM: args {@code bootstrap topic group ledgerFile handlerMillis}. Every handling
 * is appended to the ledger before the handler returns (so a SIGKILL loses no record of what was handled); a killed
 * member's acquired records return to the group when their locks expire. SIGTERM closes gracefully.
 */
public final class ShareWorker {
    private ShareWorker() {
    }

    /**
     * @param args bootstrap servers, topic, share group, ledger file, handler time in ms
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        OutputStream ledger = new FileOutputStream(args[3], true);
        long workMillis = Long.parseLong(args[4]);
        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(bootstrap)
                .sendTimeout(Duration.ofSeconds(3)).build();
        EventRouter router = EventRouter.builder()
                .route(Step.class, (event, ctx) -> {
                    if (workMillis > 0) {
                        Thread.sleep(workMillis); // simulated work, so that kills land mid-stream
                    }
                    ConsumerWorker.write(ledger, event.payload());
                })
                .retry(RetryPolicy.fixed(Duration.ofMillis(20)).maxAttempts(3))
                .deadLetter(dlq)
                .build();
        KafkaShareEventConsumer consumer = KafkaShareEventConsumer.builder().bootstrapServers(bootstrap)
                .groupId(args[2]).topics(args[1]).router(router).maxConcurrency(8)
                .properties(Map.of("max.poll.records", "20", "share.acquire.mode", "record_limit")).build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.close(Duration.ofSeconds(10));
            router.close();
            dlq.close();
            done.countDown();
        }));
        consumer.start();
        System.out.println("share member of " + args[2] + " started");
        done.await();
    }
}
