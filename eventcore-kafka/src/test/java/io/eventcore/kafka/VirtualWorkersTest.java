package io.eventcore.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventcore.routing.EventRouter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The consumer's virtual-thread workers: bound, order of hand-over, shutdown, and the builder's choice. */
class VirtualWorkersTest {
    @Test
    void atMostMaxConcurrencyTasksRunAtOnce_andEveryTaskRuns_onVirtualThreads() throws Exception {
        assumeTrue(VirtualWorkers.available(), "virtual threads need JDK 21+");
        VirtualWorkers workers = VirtualWorkers.create(8, "test-worker-");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger virtual = new AtomicInteger();
        int tasks = 2_000;
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            workers.execute(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                if (Thread.currentThread().toString().startsWith("VirtualThread")
                        && Thread.currentThread().getName().startsWith("test-worker-")) {
                    virtual.incrementAndGet();
                }
                try {
                    Thread.sleep(1); // blocks: parks the virtual thread, frees its carrier
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).as("every task ran").isTrue();
        assertThat(peak.get()).as("tasks at once").isBetween(2, 8);
        assertThat(virtual.get()).isEqualTo(tasks);
        workers.shutdown();
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownNow_interruptsRunningTasks_andRejectsNewOnes() throws Exception {
        assumeTrue(VirtualWorkers.available(), "virtual threads need JDK 21+");
        VirtualWorkers workers = VirtualWorkers.create(2, "test-worker-");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        workers.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(workers.shutdownNow()).isEmpty();
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the running task was interrupted").isTrue();
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> workers.execute(() -> { }))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    private static KafkaEventConsumerBuilder builder() {
        return KafkaEventConsumer.builder().bootstrapServers("127.0.0.1:1").groupId("g").topics("orders")
                .router(EventRouter.builder().route("X", String.class, (e, c) -> { }).build());
    }

    @Test
    void virtualThreadsTrue_beforeJdk21_failsAtBuild_namingTheSetting() {
        assumeFalse(VirtualWorkers.available(), "this JVM has virtual threads");
        assertThatThrownBy(() -> builder().virtualThreads(true).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("virtualThreads(true)").hasMessageContaining("JDK 21");
    }

    @Test
    void virtualThreadsTrue_withAnExecutor_failsAtBuild() {
        assertThatThrownBy(() -> builder().virtualThreads(true).executor(Executors.newSingleThreadExecutor()).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("virtualThreads(true) conflicts with "
                        + "executor");
    }

    @Test
    void theChoice_followsTheJvm_unlessSet() {
        java.util.concurrent.Executor byDefault = VirtualWorkers.choose(null, null, 4, "g");
        assertThat(byDefault instanceof VirtualWorkers).isEqualTo(VirtualWorkers.available());
        if (byDefault instanceof VirtualWorkers v) {
            v.shutdown();
        }
        assertThat(VirtualWorkers.choose(null, false, 4, "g")).isNull();
        java.util.concurrent.Executor mine = Runnable::run;
        assertThat(VirtualWorkers.choose(mine, null, 4, "g")).isSameAs(mine);
    }
}
