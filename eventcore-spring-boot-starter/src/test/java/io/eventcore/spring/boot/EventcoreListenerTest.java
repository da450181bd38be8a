package io.eventcore.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.EventHeaders;
import io.eventcore.EventType;
import io.eventcore.InboundMessage;
import io.eventcore.NonRetryableException;
import io.eventcore.retry.RetryMode;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.test.InMemoryDeadLetterSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link EventcoreListener} methods become routes: payload type from the parameter, several per bean, sync and async. */
class EventcoreListenerTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventcoreAutoConfiguration.class));

    @EventType("PaymentCaptured")
    record PaymentCaptured(String id, long cents) {
    }

    record RefundIssued(String id) {
    }

    record Audit(String what) {
    }

    /** A plain bean: three listener methods in the styles users write. */
    static class Payments {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @EventcoreListener
        public void captured(PaymentCaptured payment) {
            if (payment.cents() <= 0) {
                throw new NonRetryableException("no amount: " + payment.id());
            }
            seen.add("captured " + payment.id());
        }

        @EventcoreListener
        CompletionStage<Void> refunded(Event<RefundIssued> event, EventContext context) {
            seen.add("refunded " + event.payload().id() + " attempt " + context.attempt());
            return CompletableFuture.completedFuture(null);
        }

        @EventcoreListener(type = "audit.v2")
        public void audited(Audit audit) {
            seen.add("audit " + audit.what());
        }

        public void notAListener(PaymentCaptured ignored) {
            seen.add("wrong");
        }
    }

    static class BadSignature {
        @EventcoreListener
        public void twoPayloads(PaymentCaptured a, RefundIssued b) {
        }
    }

    static class BadReturn {
        @EventcoreListener
        public String returnsAValue(PaymentCaptured a) {
            return "no";
        }
    }

    private static DispatchResult dispatch(EventRouter router, String type, String json) {
        return router.dispatch(InboundMessage.builder("payments").header(EventHeaders.EVENT_TYPE, type).value(json)
                .build()).toCompletableFuture().join();
    }

    @Test
    void listenerMethods_becomeRoutes_syncAndAsync_withTheirPayloadTypes() {
        runner.withBean(Payments.class).withBean(InMemoryDeadLetterSink.class).run(context -> {
            EventRouter router = context.getBean(EventRouter.class);
            assertThat(router.eventTypes()).containsExactlyInAnyOrder("PaymentCaptured", "RefundIssued", "audit.v2");
            assertThat(dispatch(router, "PaymentCaptured", "{\"id\":\"p-1\",\"cents\":100}").outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(dispatch(router, "RefundIssued", "{\"id\":\"r-1\"}").outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(dispatch(router, "audit.v2", "{\"what\":\"login\"}").outcome())
                    .isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(context.getBean(Payments.class).seen)
                    .containsExactly("captured p-1", "refunded r-1 attempt 1", "audit login");
        });
    }

    @Test
    void whatAListenerThrows_followsThePolicies_andTheRouteIsNamedAfterTheMethod() {
        runner.withBean(Payments.class).withBean(InMemoryDeadLetterSink.class).run(context -> {
            DispatchResult result = dispatch(context.getBean(EventRouter.class), "PaymentCaptured",
                    "{\"id\":\"p-0\",\"cents\":0}");
            assertThat(result.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
            assertThat(context.getBean(InMemoryDeadLetterSink.class).deadLetters()).singleElement().satisfies(letter -> {
                assertThat(letter.message()).isEqualTo("no amount: p-0");
                assertThat(letter.handlerName()).isEqualTo("Payments#captured");
            });
        });
    }

    @Test
    void aSignatureTheStarterCannotUse_failsStartUp_namingTheMethod() {
        runner.withBean(BadSignature.class).run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("BadSignature#twoPayloads"));
        runner.withBean(BadReturn.class).run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("BadReturn#returnsAValue").hasMessageContaining("void"));
    }

    @Test
    void retryProperties_makeTheRoutersPolicy_andABadOneFailsNamingTheSetting() {
        runner.withBean(Payments.class).withPropertyValues("eventcore.router.retry.max-attempts=5",
                "eventcore.router.retry.initial-delay=200ms", "eventcore.router.retry.max-delay=10s",
                "eventcore.router.retry.mode=REDELIVER").run(context -> {
                    RetryPolicy policy = EventcoreAutoConfiguration.retryPolicy(
                            context.getBean(EventcoreProperties.class).router().retry());
                    assertThat(policy.maxAttempts()).isEqualTo(5);
                    assertThat(policy.initialDelay()).isEqualTo(Duration.ofMillis(200));
                    assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(policy.mode()).isEqualTo(RetryMode.REDELIVER);
                    assertThat(context.getBean(EventRouter.class).redeliveredTypes())
                            .containsExactlyInAnyOrder("PaymentCaptured", "RefundIssued", "audit.v2");
                });
        runner.withBean(Payments.class).withPropertyValues("eventcore.router.retry.max-attempts=0")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("eventcore.router.retry: maxAttempts must be >= 1"));
        runner.withBean(Payments.class).run(context -> assertThat(EventcoreAutoConfiguration.retryPolicy(
                context.getBean(EventcoreProperties.class).router().retry())).as("nothing set").isNull());
    }
}
