package io.eventcore.examples.faults;

import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A publisher that passes everything through to the real one, except that it holds one commit: the first
 * commit of a transaction with rows in it. There it prints
 * {@code in-flight <stream> <rows> <first step id> <last step id> at <time>} and holds the relay thread, the
 * transaction's sends acknowledged by the broker but not committed, until the JVM has been frozen and thawed
 * (SIGSTOP, then SIGCONT: a jump of over a second in the monotonic clock) or for at most {@value #HOLD_SECONDS}
 * seconds; then it prints {@code resumed <stream> at <time>} and commits. So a test's SIGKILL or SIGSTOP lands exactly
 * mid-batch. Nothing else changes: the commit, its outcome and every other call are the real publisher's.
 */
final class InFlightHold implements EventPublisher {
    static final int HOLD_SECONDS = 30;

    private final EventPublisher delegate;
    private final AtomicBoolean held = new AtomicBoolean();

    InFlightHold(EventPublisher delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<PublishReceipt> send(OutboundMessage message) {
        return delegate.send(message);
    }

    @Override
    public CompletionStage<List<PublishReceipt>> sendAll(List<OutboundMessage> messages) {
        return delegate.sendAll(messages);
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return delegate.isTransient(failure);
    }

    @Override
    public Optional<Transactions> transactions() {
        return delegate.transactions().map(Tx::new);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private final class Tx implements Transactions {
        private final Transactions real;

        Tx(Transactions real) {
            this.real = real;
        }

        @Override
        public TransactionalStream open(String streamId) {
            return new Stream(real.open(streamId));
        }

        @Override
        public int maxPositionLength() {
            return real.maxPositionLength();
        }
    }

    private final class Stream implements TransactionalStream {
        private final TransactionalStream real;

        Stream(TransactionalStream real) {
            this.real = real;
        }

        @Override
        public String id() {
            return real.id();
        }

        @Override
        public Optional<String> position() {
            return real.position();
        }

        @Override
        public PublishTransaction begin() {
            return new Transaction(this, real.begin());
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private final class Transaction implements PublishTransaction {
        private final Stream stream;
        private final PublishTransaction real;
        private final List<String> stepIds = new CopyOnWriteArrayList<>();

        Transaction(Stream stream, PublishTransaction real) {
            this.stream = stream;
            this.real = real;
        }

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            stepIds.add(FaultKit.field(new String(message.value(), StandardCharsets.UTF_8), "id"));
            return real.send(message);
        }

        @Override
        public CompletionStage<Void> commit(String position) {
            if (!stepIds.isEmpty() && held.compareAndSet(false, true)) {
                System.out.println("in-flight " + stream.id() + " " + stepIds.size() + " " + stepIds.get(0) + " "
                        + stepIds.get(stepIds.size() - 1) + " at " + LocalTime.now());
                System.out.flush();
                holdUntilThawed();
                System.out.println("resumed " + stream.id() + " at " + LocalTime.now());
                System.out.flush();
            }
            return real.commit(position);
        }

        @Override
        public void abort() {
            real.abort();
        }
    }

    /** Returns once the monotonic clock jumped by over a second between two 10 ms naps, or after the cap. */
    private static void holdUntilThawed() {
        long last = System.nanoTime();
        long until = last + TimeUnit.SECONDS.toNanos(HOLD_SECONDS);
        while (last - until < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = System.nanoTime();
            if (now - last > TimeUnit.SECONDS.toNanos(1)) {
                return; // frozen and thawed
            }
            last = now;
        }
    }
}
