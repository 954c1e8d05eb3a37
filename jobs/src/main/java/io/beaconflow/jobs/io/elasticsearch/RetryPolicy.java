package io.beaconflow.jobs.io.elasticsearch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with bounds. Two budgets, because two kinds of failure mean different things:
 *
 * <ul>
 *   <li>answered failures (429, 5xx): Elasticsearch is up but overloaded or unhealthy. At most
 *       {@code maxRetries} retries (and never past {@code maxRetryDuration}), then the job fails so
 *       the outage is visible and Flink's restart strategy takes over;
 *   <li>unanswered failures (connection refused, reset, timeout): the cluster is down, being
 *       restarted or upgraded. Retried without a count limit, until {@code maxRetryDuration}
 *       (default 10 min) has passed since the first failure: long enough to ride out a rolling
 *       restart, short enough that a cluster that is really gone fails the job. Failing then is
 *       better than blocking forever: the job's health shows the problem, the restart rebuilds the
 *       client (new DNS, new nodes), and the replay from the last checkpoint overwrites the same
 *       document ids, so nothing is lost or duplicated.
 * </ul>
 *
 * <p>Delays double from {@code initialBackoff} up to {@code maxBackoff}, with "equal jitter"
 * (between half and all of the delay) so many subtasks that failed together do not return together.
 */
final class RetryPolicy {
    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final int maxRetries;
    private final long maxRetryDurationMs;

    RetryPolicy(
            Duration initialBackoff, Duration maxBackoff, int maxRetries, Duration maxDuration) {
        this.initialBackoffMs = initialBackoff.toMillis();
        this.maxBackoffMs = maxBackoff.toMillis();
        this.maxRetries = maxRetries;
        this.maxRetryDurationMs = maxDuration.toMillis();
    }

    static RetryPolicy of(ElasticsearchSinkConfig c) {
        return new RetryPolicy(
                c.retry().initialBackoff(),
                c.retry().maxBackoff(),
                c.retry().maxRetries(),
                c.retry().maxDuration());
    }

    /** The longest delay before retry number {@code retry} (1-based). */
    long maxDelayMillis(int retry) {
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long d = initialBackoffMs << shift;
        return d <= 0 || d > maxBackoffMs ? maxBackoffMs : d;
    }

    /** The delay before retry number {@code retry}: between half and all of the max delay. */
    long delayMillis(int retry) {
        long max = maxDelayMillis(retry);
        long half = max / 2;
        return half + ThreadLocalRandom.current().nextLong(max - half + 1);
    }

    /**
     * Whether another retry is allowed after {@code answeredRetries} retries caused by answered
     * failures, {@code elapsedMs} after the first failure of this batch.
     */
    boolean mayRetry(FailureKind kind, int answeredRetries, long elapsedMs) {
        if (elapsedMs >= maxRetryDurationMs) return false;
        if (kind == FailureKind.CONNECTION) return true;
        return kind == FailureKind.RETRY && answeredRetries < maxRetries;
    }

    int maxRetries() {
        return maxRetries;
    }

    long maxRetryDurationMs() {
        return maxRetryDurationMs;
    }
}
