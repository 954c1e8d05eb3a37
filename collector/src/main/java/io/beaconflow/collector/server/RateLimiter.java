package io.beaconflow.collector.server;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client key (the client IP): {@code rate} requests per second on average,
 * {@code burst} at once. The map is bounded: past {@code maxClients} entries, buckets that have
 * refilled completely (idle clients, which would be created anew identically) are dropped.
 *
 * <p>Runs on the collector's clock ({@code nanoTime}), which is right here: a rate limit is about
 * the collector's own load now, not about event time.
 */
public final class RateLimiter {
    private final double ratePerNano;
    private final double burst;
    private final int maxClients;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    public RateLimiter(double perSecond, int burst, int maxClients, LongSupplier nanoTime) {
        if (!(perSecond > 0) || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("rate > 0, burst >= 1 and maxClients >= 1 required");
        }
        this.ratePerNano = perSecond / 1e9;
        this.burst = burst;
        this.maxClients = maxClients;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one token for {@code client}. Returns 0 when allowed, else the whole seconds (at least
     * 1) after which a token will be there: the Retry-After value.
     */
    public long acquire(String client) {
        long now = nanoTime.getAsLong();
        if (buckets.size() >= maxClients && !buckets.containsKey(client)) {
            evictIdle(now);
        }
        Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerNano);
            b.last = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            double waitNanos = (1 - b.tokens) / ratePerNano;
            return Math.max(1, (long) Math.ceil(waitNanos / 1e9));
        }
    }

    public int trackedClients() {
        return buckets.size();
    }

    private void evictIdle(long now) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
                it.hasNext(); ) {
            Bucket b = it.next().getValue();
            synchronized (b) {
                if (b.tokens + (now - b.last) * ratePerNano >= burst) {
                    it.remove();
                }
            }
        }
        if (buckets.size() >= maxClients) {
            // Every tracked client is active: forget the oldest half rather than grow without
            // bound (they get a fresh burst; the alternative is running out of memory).
            long cutoff = now;
            for (Bucket b : buckets.values()) cutoff = Math.min(cutoff, b.last);
            long mid = cutoff + (now - cutoff) / 2;
            buckets.values().removeIf(b -> b.last <= mid);
        }
    }
}
