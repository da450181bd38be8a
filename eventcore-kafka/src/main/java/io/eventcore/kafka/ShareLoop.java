package io.eventcore.kafka;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.ConsumerHealth;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread of a {@link KafkaShareEventConsumer}: it alone touches the share consumer. Each poll's records
 * are dispatched on the workers; before the next poll every record of the batch is acknowledged, as explicit
 * acknowledgement requires: finished ones with their outcome, the others renewed ({@code RENEW}) once half the
 * acquisition lock has passed, so that slow handlers keep their records.
 *
 * <p>Outcomes: {@code SUCCEEDED}, {@code SKIPPED}, {@code DEAD_LETTERED} are {@code ACCEPT}ed; {@code RETRY_LATER}
 * (a {@code REDELIVER} route) is {@code RELEASE}d, and the broker's delivery count is the next attempt; a dead
 * letter that could not be written ({@code FAILED}) is released too, never rejected. On the broker's last delivery
 * (its delivery limit, after which it would archive the record) both are retried here instead, under renewal,
 * until the record is handled or dead-lettered: nothing is archived unseen. A handler's {@code Error} stops the
 * consumer; closing releases what is unfinished.
 */
final class ShareLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ShareLoop.class);

    /** One record of the current batch: delivered, dispatched, and waiting for its acknowledgement. */
    private static final class Work {
        ConsumerRecord<byte[], byte[]> record;
        final InboundMessage message;
        final int delivery;
        volatile DispatchResult result;
        /** Set instead of {@link #result} when the dispatch itself threw (a router defect, a full executor). */
        volatile Throwable error;

        /**
         * Whether the record is in flight client-side: returned by a poll and not renewed since. A renewed record
         * comes back in a later poll; until then it cannot be acknowledged. Poll thread only.
         */
        boolean held = true;
        /** When it was last renewed ({@code System.nanoTime}); poll thread only. */
        long renewedAt;
        /** Finished while not held: acknowledged with its outcome when it comes back. Poll thread only. */
        boolean settleOnReturn;

        Work(ConsumerRecord<byte[], byte[]> record, InboundMessage message, int delivery) {
            this.record = record;
            this.message = message;
            this.delivery = delivery;
        }
    }

    private final ShareConsumer<byte[], byte[]> consumer;
    private final EventRouter router;
    private final Executor workers;
    private final ScheduledExecutorService timer;
    private final KafkaShareEventConsumer.Settings settings;
    private final Map<String, Work> inFlight = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Work> finished = new LinkedBlockingQueue<>();
    private final BrokerLink brokers = new BrokerLink();
    private volatile boolean running = true;
    private volatile Throwable fatal;
    private volatile long acknowledged;

    ShareLoop(ShareConsumer<byte[], byte[]> consumer, EventRouter router, Executor workers,
            ScheduledExecutorService timer, KafkaShareEventConsumer.Settings settings) {
        this.consumer = consumer;
        this.router = router;
        this.workers = workers;
        this.timer = timer;
        this.settings = settings;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(settings.topics());
            while (running && fatal == null) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                brokers.sample(consumer::metrics);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    take(record);
                }
                settleBatch();
            }
        } catch (WakeupException e) {
            // stop() woke the poll: close below releases what is unfinished
        } catch (Throwable e) {
            fatal = e;
            log.error("share consumer {} poll loop failed", settings.groupId(), e);
        } finally {
            shutdown();
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.topic() + '-' + record.partition() + '@' + record.offset();
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        Work renewed = inFlight.get(key(record));
        if (renewed != null) {
            renewed.record = record; // returned again after RENEW: acknowledgeable again
            renewed.held = true;
            if (renewed.settleOnReturn) {
                renewed.settleOnReturn = false;
                settle(renewed);
            }
            return;
        }
        int delivery = record.deliveryCount().map(Short::intValue).orElse(1);
        InboundMessage message = KafkaRecords.toMessage(record, settings.groupId());
        if (delivery > 1) {
            message = message.toBuilder().removeHeader(EventHeaders.ATTEMPT)
                    .header(EventHeaders.ATTEMPT, Integer.toString(delivery)).build();
        }
        Work work = new Work(record, message, delivery);
        inFlight.put(key(record), work);
        dispatch(work, () -> router.dispatch(work.message).toCompletableFuture());
    }

    private void dispatch(Work work, java.util.function.Supplier<CompletableFuture<DispatchResult>> call) {
        try {
            workers.execute(() -> {
                CompletableFuture<DispatchResult> result;
                try {
                    result = call.get();
                } catch (Throwable e) {
                    result = CompletableFuture.failedFuture(e);
                }
                result.whenComplete((r, e) -> {
                    work.result = r;
                    work.error = r == null ? e : null;
                    finished.add(work);
                });
            });
        } catch (RuntimeException rejected) {
            work.result = null;
            work.error = rejected;
            finished.add(work);
        }
    }

    /** Acknowledges every record of the batch: finished ones by outcome, the rest renewed at half the lock. */
    private void settleBatch() throws InterruptedException {
        dropUnreturned();
        long renewAt = System.nanoTime() + settings.renewAfter().toNanos();
        while (running && fatal == null) {
            for (Work done; (done = finished.poll()) != null; ) {
                settleOrDefer(done);
            }
            if (inFlight.values().stream().noneMatch(w -> w.held)) {
                return; // every record of the batch is acknowledged or renewed: poll (renewed ones come back there)
            }
            long wait = renewAt - System.nanoTime();
            if (wait <= 0) {
                for (Work w : List.copyOf(inFlight.values())) {
                    if (w.held) {
                        try {
                            consumer.acknowledge(w.record, AcknowledgeType.RENEW);
                            w.held = false;
                            w.renewedAt = System.nanoTime();
                        } catch (IllegalStateException notHeld) {
                            lockLost(w, notHeld);
                        }
                    }
                }
                return; // the next poll sends the renewals
            }
            Work done = finished.poll(wait, TimeUnit.NANOSECONDS);
            if (done != null) {
                settleOrDefer(done);
            }
        }
    }

    private void settleOrDefer(Work work) {
        if (work.held) {
            settle(work);
        } else {
            work.settleOnReturn = true; // renewed and not back yet: acknowledged when the poll returns it
        }
    }

    /** A renewed record that does not come back within the renewal bound lost its lock: the broker has it again. */
    private void dropUnreturned() {
        long bound = Math.max(settings.renewAfter().toNanos() * 4, Duration.ofSeconds(30).toNanos());
        for (Work w : List.copyOf(inFlight.values())) {
            if (!w.held && System.nanoTime() - w.renewedAt > bound) {
                lockLost(w, new IllegalStateException("renewed, not returned within " + Duration.ofNanos(bound)));
            }
        }
    }

    private void settle(Work work) {
        if (inFlight.get(key(work.record)) != work) {
            return; // its lock was lost (see lockLost): another member has the record now
        }
        DispatchResult r = work.result;
        if (r == null) {
            Throwable e = work.error;
            if (e instanceof Error) {
                fatal = e;
                log.error("share consumer {} stops: a fatal error at {}", settings.groupId(), key(work.record), e);
            } else {
                log.warn("share consumer {}: dispatching {} failed; releasing it: {}", settings.groupId(),
                        key(work.record), String.valueOf(e));
                acknowledge(work, AcknowledgeType.RELEASE);
            }
            return;
        }
        if (r.fatal()) {
            fatal = r.failure().orElse(new IllegalStateException("fatal dispatch"));
            log.error("share consumer {} stops: a fatal error at {}", settings.groupId(), key(work.record), fatal);
            return; // not acknowledged: closing releases it
        }
        DispatchOutcome outcome = r.outcome();
        if (outcome == DispatchOutcome.SUCCEEDED || outcome == DispatchOutcome.SKIPPED
                || outcome == DispatchOutcome.DEAD_LETTERED) {
            acknowledge(work, AcknowledgeType.ACCEPT);
        } else if (work.delivery < settings.deliveryLimit()) {
            acknowledge(work, AcknowledgeType.RELEASE); // the broker delivers it again, counting the attempt
        } else {
            retryHere(work, r); // its last delivery: the broker would archive it, unhandled
        }
    }

    private void acknowledge(Work work, AcknowledgeType type) {
        inFlight.remove(key(work.record));
        try {
            consumer.acknowledge(work.record, type);
            acknowledged++;
        } catch (IllegalStateException notHeld) {
            lockLost(work, notHeld);
        }
    }

    /** The broker no longer lets this member acknowledge the record (its lock expired): it delivers it again. */
    private void lockLost(Work work, RuntimeException why) {
        inFlight.remove(key(work.record));
        log.warn("share consumer {}: the acquisition lock of {} was lost ({}); the broker delivers it again",
                settings.groupId(), key(work.record), why.getMessage());
    }

    /** On the broker's last delivery: retries the dead-letter write, or the handler, here under lock renewal. */
    private void retryHere(Work work, DispatchResult r) {
        Duration delay = r.outcome() == DispatchOutcome.RETRY_LATER ? r.delay() : settings.failedBackoff();
        log.warn("share consumer {}: {} is on its last delivery ({}); retrying it here in {}: {}", settings.groupId(),
                key(work.record), work.delivery, delay, r.failure().map(Throwable::toString).orElse(r.toString()));
        timer.schedule(() -> dispatch(work, () -> {
            if (r.deadLetterPending()) {
                return CompletableFuture.completedFuture(router.retryDeadLetter(r));
            }
            InboundMessage next = work.message.toBuilder().removeHeader(EventHeaders.ATTEMPT)
                    .header(EventHeaders.ATTEMPT, Integer.toString(r.attempts() + 1)).build();
            return router.dispatch(next).toCompletableFuture();
        }), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void shutdown() {
        // What finished is acknowledged; close() releases the rest for other members.
        for (Work more; (more = finished.poll()) != null; ) {
            DispatchOutcome o = more.result == null || more.result.fatal() ? null : more.result.outcome();
            if (o == DispatchOutcome.SUCCEEDED || o == DispatchOutcome.SKIPPED || o == DispatchOutcome.DEAD_LETTERED) {
                try {
                    settle(more);
                } catch (RuntimeException e) {
                    log.debug("share consumer {}: could not acknowledge {} at close", settings.groupId(),
                            key(more.record), e);
                }
            }
        }
        try {
            consumer.close(settings.closeTimeout());
        } catch (RuntimeException e) {
            log.warn("share consumer {} did not close cleanly: {}", settings.groupId(), e.toString());
        }
    }

    /** Ends the loop at its next turn; any thread. */
    void stop() {
        running = false;
        consumer.wakeup();
    }

    Throwable fatal() {
        return fatal;
    }

    long acknowledged() {
        return acknowledged;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** @return the loop's health detail when the brokers are out of reach, else {@code null} */
    ConsumerHealth disconnected() {
        String why = brokers.unreachable();
        return why == null ? null : new ConsumerHealth(ConsumerHealth.Status.DISCONNECTED, why);
    }
}
