package io.eventcore.test;

import io.eventcore.transport.EventPublisher;
import io.eventcore.transport.OutboundMessage;
import io.eventcore.transport.PublishReceipt;
import io.eventcore.transport.PublishTransaction;
import io.eventcore.transport.TransactionalStream;
import io.eventcore.transport.Transactions;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Forwarding views of the transport SPI for tests that interpose on one call (a send that fails, a commit that
 * stalls, a stream that breaks): each forwards everything to its target, and a test overrides only what it changes.
 */
final class Forwarding {
    private Forwarding() {
    }

    /** A transaction forwarding to {@code target}. */
    static class Transaction implements PublishTransaction {
        final PublishTransaction target;

        Transaction(PublishTransaction target) {
            this.target = target;
        }

        @Override
        public CompletionStage<PublishReceipt> send(OutboundMessage message) {
            return target.send(message);
        }

        @Override
        public CompletionStage<Void> commit(String position) {
            return target.commit(position);
        }

        @Override
        public void abort() {
            target.abort();
        }
    }

    /** A transaction whose sends go through {@code send} (given the message and the target transaction). */
    static PublishTransaction sending(PublishTransaction target,
            BiFunction<OutboundMessage, PublishTransaction, CompletionStage<PublishReceipt>> send) {
        return new Transaction(target) {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                return send.apply(message, target);
            }
        };
    }

    /**
     * The broker's transactions, each stream's {@code begin} passing through {@code begin} (given the stream's id
     * and its transaction as the broker began it).
     */
    static Transactions transactions(InMemoryBroker broker, BiFunction<String, PublishTransaction, PublishTransaction> begin) {
        return opening(broker, (id, stream) -> new Stream(stream) {
            @Override
            public PublishTransaction begin() {
                return begin.apply(id, stream.begin());
            }
        });
    }

    /** The broker's transactions, each stream opened passing through {@code open} (given its id and the stream). */
    static Transactions opening(InMemoryBroker broker, BiFunction<String, TransactionalStream, TransactionalStream> open) {
        Transactions inner = broker.transactions();
        return new Transactions() {
            @Override
            public TransactionalStream open(String streamId) {
                return open.apply(streamId, inner.open(streamId));
            }

            @Override
            public int maxPositionLength() {
                return inner.maxPositionLength();
            }
        };
    }

    /** A stream forwarding to {@code target}. */
    static class Stream implements TransactionalStream {
        final TransactionalStream target;

        Stream(TransactionalStream target) {
            this.target = target;
        }

        @Override
        public String id() {
            return target.id();
        }

        @Override
        public Optional<String> position() {
            return target.position();
        }

        @Override
        public PublishTransaction begin() {
            return target.begin();
        }

        @Override
        public void close() {
            target.close();
        }
    }

    /**
     * A publisher whose plain sends go through {@code send} and whose transactions are {@code transactions}, transient
     * failures as {@code isTransient} says ({@code null}: as the SPI's default).
     */
    static EventPublisher publisher(Function<OutboundMessage, CompletionStage<PublishReceipt>> send,
            Transactions transactions, java.util.function.Predicate<Throwable> isTransient) {
        return new EventPublisher() {
            @Override
            public CompletionStage<PublishReceipt> send(OutboundMessage message) {
                return send.apply(message);
            }

            @Override
            public boolean isTransient(Throwable failure) {
                return isTransient != null ? isTransient.test(failure) : EventPublisher.super.isTransient(failure);
            }

            @Override
            public Optional<Transactions> transactions() {
                return Optional.ofNullable(transactions);
            }

            @Override
            public void close() {
            }
        };
    }
}
