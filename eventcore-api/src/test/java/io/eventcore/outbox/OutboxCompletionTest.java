package io.eventcore.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutboxCompletionTest {
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private static OutboxRecord row(long id) {
        return new OutboxRecord(id, "e" + id, "Order", "k", "Step", null, null, new byte[] {1}, T0, 0, null);
    }

    @Test
    void lists_areImmutable_andDoNotChangeWithTheBuilder() {
        OutboxCompletion.Builder builder = OutboxCompletion.builder().published(row(1)).retry(row(2), T0)
                .dead(row(3), T0);
        OutboxCompletion completion = builder.build();
        builder.published(row(4));

        assertThat(completion.published()).extracting(OutboxRecord::id).containsExactly(1L);
        assertThat(completion.retries()).singleElement().satisfies(r -> assertThat(r.record().id()).isEqualTo(2));
        assertThat(completion.dead()).singleElement().satisfies(d -> assertThat(d.record().id()).isEqualTo(3));
        assertThatThrownBy(() -> completion.published().add(row(5))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> completion.retries().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> completion.dead().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rowRecordedTwice_isRejected_namingIt() {
        assertThatThrownBy(() -> OutboxCompletion.builder().published(row(7)).retry(row(7), T0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("row #7 was already recorded in this completion");
        assertThatThrownBy(() -> OutboxCompletion.allPublished(List.of(row(1), row(1))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void empty_andAllPublished() {
        assertThat(OutboxCompletion.empty().isEmpty()).isTrue();
        assertThat(OutboxCompletion.allPublished(List.of(row(1), row(2))).published()).extracting(OutboxRecord::id)
                .containsExactly(1L, 2L);
        assertThat(OutboxCompletion.allPublished(List.of(row(1))).isEmpty()).isFalse();
    }
}
