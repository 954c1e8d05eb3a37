package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy =
            new RetryPolicy(
                    Duration.ofMillis(100), Duration.ofSeconds(30), 5, Duration.ofMinutes(10));

    @Test
    void delaysDoubleUpToTheMaximum() {
        assertThat(policy.maxDelayMillis(1)).isEqualTo(100);
        assertThat(policy.maxDelayMillis(2)).isEqualTo(200);
        assertThat(policy.maxDelayMillis(3)).isEqualTo(400);
        assertThat(policy.maxDelayMillis(9)).isEqualTo(25_600);
        assertThat(policy.maxDelayMillis(10)).isEqualTo(30_000);
        assertThat(policy.maxDelayMillis(1000)).isEqualTo(30_000);
    }

    @Test
    void jitterKeepsEachDelayBetweenHalfAndAllOfTheMaximum() {
        for (int retry = 1; retry < 40; retry++) {
            for (int i = 0; i < 50; i++) {
                assertThat(policy.delayMillis(retry))
                        .isBetween(policy.maxDelayMillis(retry) / 2, policy.maxDelayMillis(retry));
            }
        }
    }

    @Test
    void answeredFailuresStopAfterMaxRetries() {
        assertThat(policy.mayRetry(FailureKind.RETRY, 4, 1_000)).isTrue();
        assertThat(policy.mayRetry(FailureKind.RETRY, 5, 1_000)).isFalse();
    }

    @Test
    void aClusterThatDoesNotAnswerIsWaitedForUntilTheMaxDuration() {
        assertThat(policy.mayRetry(FailureKind.CONNECTION, 0, 9 * 60_000)).isTrue();
        assertThat(policy.mayRetry(FailureKind.CONNECTION, 0, 10 * 60_000)).isFalse();
        assertThat(policy.mayRetry(FailureKind.RETRY, 0, 10 * 60_000)).isFalse();
    }

    @Test
    void permanentAndAuthFailuresAreNeverRetried() {
        assertThat(policy.mayRetry(FailureKind.PERMANENT, 0, 0)).isFalse();
        assertThat(policy.mayRetry(FailureKind.AUTH, 0, 0)).isFalse();
    }
}
