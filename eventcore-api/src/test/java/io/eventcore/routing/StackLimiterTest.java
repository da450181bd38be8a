package io.eventcore.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StackLimiterTest {

    @Test
    void firstOccurrence_logsItsStack_andRepeatsWithinTheMinute_logOneLineAndAreCounted() {
        StackLimiter limiter = new StackLimiter();
        assertThat(limiter.permit()).as("the first failure shows its stack").isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.permit()).as("repeats within the minute: one line each").isEqualTo(-1);
        }
    }
}
