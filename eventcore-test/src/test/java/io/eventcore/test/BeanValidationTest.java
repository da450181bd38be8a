package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventcore.InboundMessage;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.retry.RetryPolicy;
import io.eventcore.routing.DispatchOutcome;
import io.eventcore.routing.DispatchResult;
import io.eventcore.routing.EventRouter;
import io.eventcore.validation.BeanValidation;
import io.eventcore.PayloadValidationException;
import io.eventcore.Violation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Bean Validation after decode: an invalid payload is dead-lettered at once with its violations. */
class BeanValidationTest {
    record Line(@NotBlank String sku, @Min(1) int quantity) {
    }

    record OrderPlaced(@NotBlank String orderId, @Positive long amountCents, @Valid List<Line> lines) {
    }

    private final ManualClock clock = new ManualClock();
    private final InMemoryDeadLetterSink dlq = new InMemoryDeadLetterSink();
    private final AtomicInteger handled = new AtomicInteger();

    private EventRouter router() {
        return EventRouter.builder().clock(clock).scheduler(clock).executor(Runnable::run).deadLetter(dlq)
                .retry(RetryPolicy.fixed(Duration.ofMillis(10)).maxAttempts(5))
                .middleware(BeanValidation.middleware())
                .route(OrderPlaced.class, (e, ctx) -> handled.incrementAndGet())
                .build();
    }

    private static InboundMessage message(String json) {
        return InboundMessage.builder("orders").key("o").value(json).offset(3)
                .header("event_type", "OrderPlaced").header("event_id", "e-3").build();
    }

    @Test
    void validPayload_reachesTheHandler() {
        try (EventRouter router = router()) {
            DispatchResult r = router.dispatch(message(
                    "{\"orderId\":\"o-1\",\"amountCents\":500,\"lines\":[{\"sku\":\"a\",\"quantity\":1}]}"))
                    .toCompletableFuture().join();
            assertThat(r.outcome()).isEqualTo(DispatchOutcome.SUCCEEDED);
            assertThat(handled).hasValue(1);
            assertThat(dlq.deadLetters()).isEmpty();
        }
    }

    @Test
    void invalidPayload_isDeadLetteredAtOnce_withItsBytesAndEveryViolation_andTheHandlerNeverRuns() {
        String json = "{\"orderId\":\" \",\"amountCents\":-5,\"lines\":[{\"sku\":\"a\",\"quantity\":1},"
                + "{\"sku\":\"\",\"quantity\":0}]}";
        try (EventRouter router = router()) {
            DispatchResult r = router.dispatch(message(json)).toCompletableFuture().join();
            assertThat(r.outcome()).isEqualTo(DispatchOutcome.DEAD_LETTERED);
            assertThat(r.attempts()).as("a violation is never retried").isEqualTo(1);
        }
        assertThat(handled).hasValue(0);
        DeadLetter letter = dlq.deadLetters().get(0);
        assertThat(letter.value()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(letter.exceptionClass()).isEqualTo(PayloadValidationException.class.getName());
        assertThat(letter.violations()).isEqualTo("[{\"path\":\"amountCents\",\"message\":\"must be greater than 0\"},"
                + "{\"path\":\"lines[1].quantity\",\"message\":\"must be greater than or equal to 1\"},"
                + "{\"path\":\"lines[1].sku\",\"message\":\"must not be blank\"},"
                + "{\"path\":\"orderId\",\"message\":\"must not be blank\"}]");
        assertThat(letter.message()).contains("breaks 4 constraints").contains("lines[1].sku must not be blank");
    }

    @Test
    void validate_outsideTheRouter_listsViolationsByPath() {
        List<Violation> violations = BeanValidation.middleware().validate(new OrderPlaced("o", 0, List.of()));
        assertThat(violations).containsExactly(new Violation("amountCents", "must be greater than 0"));
    }
}
