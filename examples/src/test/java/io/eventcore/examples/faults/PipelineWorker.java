package io.eventcore.examples.faults;

import io.eventcore.Event;
import io.eventcore.kafka.KafkaEventConsumer;
import io.eventcore.kafka.KafkaEventPublisher;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A consume &rarr; produce stage in its own JVM: args {@code bootstrap inTopic outTopic group ledgerFile
 * handlerMillis}. For each step read it publishes the same step to the output topic through a
 * {@link KafkaEventPublisher} joined to the consumer's transactions ({@code exactlyOnce}), and appends it to the
 * ledger (handlings, which a SIGKILL may repeat). SIGTERM closes gracefully.
 */
public final class PipelineWorker {
    private PipelineWorker() {
    }

    /**
     * @param args bootstrap servers, input topic, output topic, group, ledger file, handler time in ms
     * @throws Exception on startup failure
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        OutputStream ledger = new FileOutputStream(args[4], true);
        long workMillis = Long.parseLong(args[5]);
        KafkaEventPublisher output = KafkaEventPublisher.builder().bootstrapServers(bootstrap).topic(args[2]).build();
        EventRouter router = EventRouter.builder()
                .route(Step.class, (event, ctx) -> {
                    Step s = event.payload();
                    if (workMillis > 0) {
                        Thread.sleep(workMillis); // simulated work, so that kills land mid-stream
                    }
                    output.publish(Event.of(s.key(), s)).toCompletableFuture().join();
                    ConsumerWorker.write(ledger, s);
                })
                .build();
        KafkaEventConsumer consumer = KafkaEventConsumer.builder().bootstrapServers(bootstrap).groupId(args[3])
                .topics(args[1]).router(router).ordering(Ordering.KEY).maxConcurrency(8)
                .commitInterval(Duration.ofMillis(200))
                .properties(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000"))
                .exactlyOnce(output)
                .build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.close(Duration.ofSeconds(10));
            router.close();
            output.close();
            done.countDown();
        }));
        consumer.start();
        System.out.println("pipeline " + args[3] + " started");
        done.await();
    }
}
