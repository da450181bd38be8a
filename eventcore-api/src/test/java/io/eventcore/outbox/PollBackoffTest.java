package io.eventcore.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollBackoffTest {
    private final PollBackoff backoff = new PollBackoff(Duration.ofMillis(5), Duration.ofMillis(40));

    @Test
    void idleWaits_doubleUpToTheMaximum_andAWakeUpResetsThem() {
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(5));
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(20));
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(40));
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(40));
        backoff.wokenUp();
        assertThat(backoff.idle()).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void failureWaits_doubleUpToFiveTimesTheMaximum_andWorkResetsThem() {
        assertThat(backoff.healthy()).isTrue();
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.healthy()).isFalse();
        for (int i = 0; i < 10; i++) {
            backoff.failed();
        }
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(200));
        backoff.busy();
        assertThat(backoff.healthy()).isTrue();
        assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void anIdlePass_endsAFailureSeries() {
        backoff.failed();
        backoff.idle();
        assertThat(backoff.healthy()).isTrue();
    }
}
