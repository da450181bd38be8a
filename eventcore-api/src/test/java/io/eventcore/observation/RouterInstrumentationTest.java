package io.eventcore.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.EventHeaders;
import io.eventcore.InboundMessage;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.EventRouter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The router reports each dispatch as one process operation; a failing instrumentation never breaks it. */
class RouterInstrumentationTest {
    record Paid(String id) {
    }

    /** Records every call as one line. */
    static final class Recording implements EventInstrumentation {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public Observed process(InboundMessage message, String eventType) {
            calls.add("process " + message.topic() + " " + eventType);
            return new Observed() {
                @Override
                public Scope openScope() {
                    calls.add("scope");
                    return () -> calls.add("scope closed");
                }

                @Override
                public void retried(int attempt, Throwable failure) {
                    calls.add("retried " + attempt);
                }

                @Override
                public void stop(String outcome, Throwable failure) {
                    calls.add("stop " + outcome + (failure == null ? "" : " " + failure.getClass().getSimpleName()));
                }
            };
        }
    }

    private static InboundMessage message(String type) {
        return InboundMessage.builder("payments").header(EventHeaders.EVENT_TYPE, type).value("{\"id\":\"p-1\"}")
                .build();
    }

    @Test
    void dispatch_isOneProcessOperation_withRetriesAsEvents() {
        Recording instrumentation = new Recording();
        AtomicInteger failures = new AtomicInteger(2);
        try (EventRouter router = EventRouter.builder().instrumentation(instrumentation)
                .retry(RetryPolicy.fixed(Duration.ZERO).maxAttempts(3))
                .route(Paid.class, (e, c) -> {
                    if (failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("not yet");
                    }
                }).build()) {
            assertThat(router.dispatch(message("Paid")).toCompletableFuture().join().outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
        }
        assertThat(instrumentation.calls).containsExactly("process payments Paid", "scope", "retried 1", "retried 2",
                "scope closed", "stop succeeded");
    }

    @Test
    void unroutedType_isReportedWithoutAType() {
        Recording instrumentation = new Recording();
        try (EventRouter router = EventRouter.builder().instrumentation(instrumentation).deadLetter(d -> { })
                .route(Paid.class, (e, c) -> { }).build()) {
            router.dispatch(message("Spam")).toCompletableFuture().join();
        }
        assertThat(instrumentation.calls).first().isEqualTo("process payments null");
        assertThat(instrumentation.calls).last().asString().startsWith("stop dead_lettered");
    }

    @Test
    void failingInstrumentation_neverBreaksProcessing() {
        EventInstrumentation throwingAtStart = new EventInstrumentation() {
            @Override
            public Observed process(InboundMessage message, String eventType) {
                throw new IllegalStateException("tracing is down");
            }
        };
        EventInstrumentation throwingLater = new EventInstrumentation() {
            @Override
            public Observed process(InboundMessage message, String eventType) {
                return new Observed() {
                    @Override
                    public Scope openScope() {
                        throw new IllegalStateException("no scope");
                    }

                    @Override
                    public void stop(String outcome, Throwable failure) {
                        throw new IllegalStateException("no stop");
                    }
                };
            }
        };
        for (EventInstrumentation broken : List.of(throwingAtStart, throwingLater)) {
            AtomicInteger handled = new AtomicInteger();
            try (EventRouter router = EventRouter.builder().instrumentation(broken)
                    .route(Paid.class, (e, c) -> handled.incrementAndGet()).build()) {
                assertThat(router.dispatch(message("Paid")).toCompletableFuture().join().outcome())
                        .isEqualTo(DispatchOutcome.SUCCEEDED);
            }
            assertThat(handled).hasValue(1);
        }
    }

    @Test
    void safe_keepsNoopAsItIs() {
        assertThat(EventInstrumentation.safe(EventInstrumentation.noop())).isSameAs(EventInstrumentation.noop());
        EventInstrumentation safe = EventInstrumentation.safe(new Recording());
        assertThat(EventInstrumentation.safe(safe)).isSameAs(safe);
    }
}
