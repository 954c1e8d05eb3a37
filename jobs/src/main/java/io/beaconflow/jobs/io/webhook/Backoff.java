package io.beaconflow.jobs.io.webhook;

import java.time.Duration;
import java.util.Optional;

/**
 * Exponential backoff between delivery attempts: {@code initial × 2^(retry-1)}, capped at {@code
 * max}. No jitter: one notifier subtask talks to the endpoint (the sink runs at parallelism 1), so
 * there is no herd to spread, and deterministic waits keep the tests exact.
 *
 * <p>A 429 with {@code Retry-After: <seconds>} waits at least that long (the receiver knows its
 * limit better than our schedule), up to {@link #MAX_RETRY_AFTER}; a longer demand counts as a
 * failed notification rather than blocking the sink for longer. The HTTP-date form of {@code
 * Retry-After} is not honoured (it needs the wall clock); the exponential delay applies instead.
 */
public final class Backoff {
    /** Longest Retry-After the notifier will wait for. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    private final Duration initial;
    private final Duration max;

    public Backoff(Duration initial, Duration max) {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be > 0, got " + initial);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "max backoff must be ≥ initial (" + initial + "), got " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** The wait before retry number {@code retry} (1 = the first retry). */
    public Duration delayBeforeRetry(int retry) {
        if (retry < 1) throw new IllegalArgumentException("retry starts at 1, got " + retry);
        // 2^62 overflows nothing we care about: cap the shift, then the duration.
        int shift = Math.min(retry - 1, 30);
        long nanos = initial.toNanos();
        long delay = nanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : nanos << shift;
        return delay >= max.toNanos() ? max : Duration.ofNanos(delay);
    }

    /** The wait before retry {@code retry}, at least the receiver's {@code Retry-After}. */
    public Duration delayBeforeRetry(int retry, Optional<Duration> retryAfter) {
        Duration d = delayBeforeRetry(retry);
        if (retryAfter.isPresent() && retryAfter.get().compareTo(d) > 0) {
            return retryAfter.get();
        }
        return d;
    }

    /** {@code Retry-After} in its delta-seconds form; empty for absent or HTTP-date values. */
    public static Optional<Duration> parseRetryAfter(String header) {
        if (header == null) return Optional.empty();
        String t = header.trim();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds(Long.parseLong(t)));
    }
}
