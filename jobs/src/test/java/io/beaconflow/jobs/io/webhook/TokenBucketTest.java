package io.beaconflow.jobs.io.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void aBurstGoesOutAtOnceAndThenSendsAreSpacedAtTheRate() throws Exception {
        FakeTicker clock = new FakeTicker();
        TokenBucket bucket = new TokenBucket(60, 3, clock); // one per second after 3

        for (int i = 0; i < 3; i++) assertThat(bucket.acquire()).isZero();
        long waited4 = bucket.acquire();
        long waited5 = bucket.acquire();

        assertThat(waited4).isEqualTo(1_000_000_000L);
        assertThat(waited5).isEqualTo(1_000_000_000L);
        assertThat(clock.sleepsMillis()).containsExactly(1000L, 1000L);
    }

    @Test
    void excessSendsWaitInsteadOfBeingRefused() throws Exception {
        FakeTicker clock = new FakeTicker();
        TokenBucket bucket = new TokenBucket(30, 1, clock); // one per 2 s

        int sent = 0;
        for (int i = 0; i < 10; i++) {
            bucket.acquire();
            sent++;
        }

        assertThat(sent).isEqualTo(10);
        assertThat(clock.nanoTime() - 1_000_000_000L).isEqualTo(18_000_000_000L);
    }

    @Test
    void idleTimeRefillsTheBucketButNotBeyondTheBurst() {
        FakeTicker clock = new FakeTicker();
        TokenBucket bucket = new TokenBucket(60, 2, clock);
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilAvailable()).isEqualTo(1_000_000_000L);

        clock.advanceMillis(60_000);

        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }
}
