package io.eventcore.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventcore.InboundMessage;
import io.eventcore.codec.JsonEventCodec;
import io.eventcore.deadletter.DeadLetter;
import io.eventcore.routing.EventRouter;
import io.eventcore.transport.Ordering;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one builder rule, checked on the api and test-kit builders: set once, required at build(). */
class BuilderDisciplineTest {


    @Test
    void inboundMessage_repeatedSetting_isRejectedNamingIt() {
        assertThatThrownBy(() -> InboundMessage.builder("t").key("a").key("b"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> InboundMessage.builder("t").offset(1).offset(2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("offset");
    }

    @Test
    void inboundMessage_toBuilder_allowsOneAdjustmentOfEachSetting() {
        InboundMessage original = InboundMessage.builder("t").key("a").offset(1).build();
        InboundMessage copy = original.toBuilder().offset(7).build();
        assertThat(copy.offset()).isEqualTo(7);
        assertThat(copy.keyAsString()).isEqualTo("a");
    }

    @Test
    void jsonCodec_repeatedSetting_isRejectedNamingIt() {
        assertThatThrownBy(() -> JsonEventCodec.builder().maxNestingDepth(10).maxNestingDepth(20))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxNestingDepth");
        assertThatThrownBy(() -> JsonEventCodec.builder().failOnUnknownProperties(true).failOnUnknownProperties(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("failOnUnknownProperties");
    }

    @Test
    void deadLetter_missingRequiredSetting_isRejectedAtBuildNamingIt() {
        assertThatThrownBy(() -> DeadLetter.builder().exceptionClass("E").rootCauseClass("E")
                .firstFailureAt(Instant.EPOCH).lastFailureAt(Instant.EPOCH).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("topic");
    }

    @Test
    void deadLetter_failureAndExplicitException_isARepeatedSetting() {
        assertThatThrownBy(() -> DeadLetter.builder().failure(new RuntimeException("x")).exceptionClass("E"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exceptionClass");
    }

    @Test
    void deadLetter_fromSourceAndFailure_carriesBothAndDropsEarlierDeadLetterHeaders() {
        InboundMessage source = InboundMessage.builder("orders").key("k").value("{}").partition(3).offset(9)
                .header("eventcore_dlq_exception", "old").header("custom", "c").build();
        DeadLetter letter = DeadLetter.builder().source(source).failure(new IllegalStateException("boom"))
                .attempts(2).firstFailureAt(Instant.EPOCH).lastFailureAt(Instant.EPOCH).build();
        assertThat(letter.topic()).isEqualTo("orders");
        assertThat(letter.partition()).isEqualTo(3);
        assertThat(letter.offset()).isEqualTo(9);
        assertThat(letter.headers()).extracting(h -> h.key()).containsExactly("custom");
        assertThat(letter.exceptionClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(letter.message()).isEqualTo("boom");
        assertThat(letter.attempts()).isEqualTo(2);
    }

    @Test
    void inMemoryConsumer_repeatedSetting_isRejectedNamingIt() {
        InMemoryBroker broker = new InMemoryBroker();
        EventRouter router = EventRouter.builder().route("T", String.class, (e, c) -> { }).build();
        try {
            assertThatThrownBy(() -> broker.consumer("g", "t", router).ordering(Ordering.KEY).ordering(Ordering.PARTITION))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("ordering");
            assertThatThrownBy(() -> broker.consumer("g", "t", router).maxInFlight(5).maxInFlight(6))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxInFlight");
        } finally {
            router.close();
        }
    }
}
