package io.beaconflow.jobs.io.webhook;

/**
 * The notifier's rate limit: a bucket of {@code burst} tokens refilled at {@code perMinute}. A send
 * takes a token; with none left, {@link #acquire} waits until one has accumulated. Callers are
 * delayed, never refused: a storm of notifications is spread out, not thinned.
 *
 * <p>Not thread-safe: one per committer, used from the committer's (task) thread.
 */
public final class TokenBucket {
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;

    private final Ticker ticker;
    private final double capacity;
    private final double nanosPerToken;
    private double tokens;
    private long lastRefill;

    public TokenBucket(int perMinute, int burst, Ticker ticker) {
        if (perMinute <= 0) throw new IllegalArgumentException("perMinute must be > 0");
        if (burst <= 0) throw new IllegalArgumentException("burst must be > 0");
        this.ticker = ticker;
        this.capacity = burst;
        this.nanosPerToken = (double) NANOS_PER_MINUTE / perMinute;
        this.tokens = burst;
        this.lastRefill = ticker.nanoTime();
    }

    /** Takes a token if one is available now. */
    public boolean tryAcquire() {
        refill();
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return true;
        }
        return false;
    }

    /** Nanoseconds until a token is available (0 if one is). */
    public long nanosUntilAvailable() {
        refill();
        if (tokens >= 1.0) return 0;
        return (long) Math.ceil((1.0 - tokens) * nanosPerToken);
    }

    /**
     * Takes a token, waiting for it if needed.
     *
     * @return nanoseconds waited
     */
    public long acquire() throws InterruptedException {
        long waited = 0;
        while (!tryAcquire()) {
            long wait = Math.max(1, nanosUntilAvailable());
            ticker.sleepNanos(wait);
            waited += wait;
        }
        return waited;
    }

    private void refill() {
        long now = ticker.nanoTime();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed / nanosPerToken);
            lastRefill = now;
        }
    }
}
