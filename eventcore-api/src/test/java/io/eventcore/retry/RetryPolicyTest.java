package io.eventcore.retry;

import io.eventcore.NonRetryableException;
import io.eventcore.codec.DecodeException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void maxAttempts_zero_isRejected() {
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofMillis(1)).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1, but was 0");
    }

    @Test
    void jitter_outOfRange_isRejected() {
        assertThatThrownBy(() -> RetryPolicy.defaults().jitter(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jitter must be between 0.0 and 1.0, but was 1.5");
        assertThatThrownBy(() -> RetryPolicy.defaults().jitter(Double.NaN))
                .hasMessageContaining("jitter").hasMessageContaining("NaN");
    }

    @Test
    void multiplier_belowOne_isRejected() {
        assertThatThrownBy(() -> RetryPolicy.defaults().multiplier(0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier").hasMessageContaining("0.5");
    }

    @Test
    void exponential_invalidDelays_areRejected() {
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("initialDelay must be > 0, but was PT0S");
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("maxDelay must be >= initialDelay (PT2S), but was PT1S");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofMillis(-1)))
                .hasMessage("delay must be >= 0, but was PT-0.001S");
    }

    @Test
    void maxElapsed_andEmptyClassification_areRejected() {
        assertThatThrownBy(() -> RetryPolicy.defaults().maxElapsed(Duration.ZERO))
                .hasMessage("maxElapsed must be > 0, but was PT0S");
        assertThatThrownBy(() -> RetryPolicy.defaults().retryOn())
                .hasMessage("retryOn must name at least one exception type, but was empty");
    }

    @Test
    void policies_areBoundedByDefault_andImmutable() {
        RetryPolicy base = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));
        RetryPolicy changed = base.maxAttempts(9);
        assertThat(base.maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        assertThat(changed.maxAttempts()).isEqualTo(9);
        assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(3);
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void exponentialDelays_growAndAreCapped() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofMillis(500)).maxAttempts(10);
        assertThat(p.delayAfter(1, 0.5)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delayAfter(2, 0.5)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.delayAfter(3, 0.5)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.delayAfter(4, 0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.delayAfter(50, 0.5)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void jitter_spreadsDelayWithinBounds() {
        RetryPolicy p = RetryPolicy.fixed(Duration.ofMillis(100)).jitter(0.2);
        assertThat(p.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(80));
        assertThat(p.delayAfter(1, 0.999999)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        RetryPolicy exp = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).jitter(0.5);
        assertThat(exp.delayAfter(1, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(exp.delayAfter(1, 0.9999)).isBetween(Duration.ofMillis(149), Duration.ofMillis(150));
    }

    static class TransientException extends RuntimeException {
        TransientException(String m, Throwable cause) {
            super(m, cause);
        }
    }

    static class PermanentException extends RuntimeException {
        PermanentException(String m) {
            super(m);
        }
    }

    @Test
    void classification_traversesCauses() {
        RetryPolicy p = RetryPolicy.defaults().retryOn(IOException.class).abortOn(PermanentException.class);
        assertThat(p.isRetryable(new UncheckedIOException(new IOException("reset")))).isTrue();
        assertThat(p.isRetryable(new IllegalStateException("other"))).isFalse();
        assertThat(p.isRetryable(new TransientException("wrapped", new PermanentException("no")))).isFalse();
        assertThat(p.isRetryable(new RuntimeException(new NonRetryableException("marker")))).isFalse();
    }

    @Test
    void errors_markersAndDecodeFailures_areNeverRetried() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(p.isRetryable(new IllegalStateException("x"))).isTrue();
        assertThat(p.isRetryable(new OutOfMemoryError())).isFalse();
        assertThat(p.isRetryable(new DecodeException("bad", null, new byte[] {1}, "T"))).isFalse();
        assertThat(RetryPolicy.defaults().retryOn(DecodeException.class)
                .isRetryable(new DecodeException("bad", null, null, "T"))).isFalse();
    }

    @Test
    void causeCycle_doesNotLoop() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(RetryPolicy.defaults().retryOn(IOException.class).isRetryable(a)).isFalse();
    }

    @Test
    void shouldRetry_respectsAttemptsAndElapsed() {
        RetryPolicy p = RetryPolicy.fixed(Duration.ofSeconds(1)).maxAttempts(3).maxElapsed(Duration.ofSeconds(10));
        RuntimeException e = new RuntimeException();
        assertThat(p.shouldRetry(e, 1, Duration.ZERO, Duration.ofSeconds(1))).isTrue();
        assertThat(p.shouldRetry(e, 3, Duration.ZERO, Duration.ofSeconds(1))).isFalse();
        assertThat(p.shouldRetry(e, 2, Duration.ofSeconds(9), Duration.ofSeconds(2))).isFalse();
    }
}
