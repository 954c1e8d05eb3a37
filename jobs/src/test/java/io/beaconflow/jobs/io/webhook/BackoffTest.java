package io.beaconflow.jobs.io.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));

    @Test
    void delaysDoubleFromTheInitialBackoffUntilTheCap() {
        assertThat(
                        IntStream.rangeClosed(1, 7)
                                .mapToObj(r -> backoff.delayBeforeRetry(r).toMillis()))
                .containsExactly(500L, 1000L, 2000L, 4000L, 5000L, 5000L, 5000L);
    }

    @Test
    void aVeryHighRetryNumberStaysAtTheCapInsteadOfOverflowing() {
        assertThat(backoff.delayBeforeRetry(10_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLongerRetryAfterWinsAndAShorterOneDoesNotShortenTheBackoff() {
        assertThat(backoff.delayBeforeRetry(1, Optional.of(Duration.ofSeconds(3))))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(backoff.delayBeforeRetry(4, Optional.of(Duration.ofSeconds(1))))
                .isEqualTo(Duration.ofSeconds(4));
        // Retry-After may exceed max-backoff: the receiver's demand beats our cap.
        assertThat(backoff.delayBeforeRetry(1, Optional.of(Duration.ofSeconds(30))))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryAfterIsReadInSecondsAndTheHttpDateFormIsIgnored() {
        assertThat(Backoff.parseRetryAfter("7")).contains(Duration.ofSeconds(7));
        assertThat(Backoff.parseRetryAfter(" 120 ")).contains(Duration.ofSeconds(120));
        assertThat(Backoff.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEmpty();
        assertThat(Backoff.parseRetryAfter("-1")).isEmpty();
        assertThat(Backoff.parseRetryAfter(null)).isEmpty();
    }

    @Test
    void aCapBelowTheInitialBackoffIsRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max backoff");
    }
}
