package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.WriteBehindOperator;
import java.time.Duration;

/**
 * Runs {@link Deduplicator} with the seen ids of up to {@code ingest.dedup-cache} sessions per
 * subtask on the heap ({@link SeenIdsCache}): on RocksDB an event then costs no state read or
 * write, only the session's first event after it entered the cache does (one read).
 *
 * <p>Exactly the function's output, state and timers: the cache is written to the keyed state
 * before every snapshot and at the end ({@link WriteBehindOperator}), so each snapshot holds the
 * same ids, expiries and timer times in the same format as without it. Timers are the function's
 * ({@code user-timers}). Same uid ({@code ingest-dedup}) and states ({@code dedup-seen}, {@code
 * dedup-timer}): savepoints of the plain {@code KeyedProcessOperator} restore into it and back.
 */
public class DeduplicatorOperator extends WriteBehindOperator<RumEvent, RumEvent> {
    private static final long serialVersionUID = 1L;

    private final int cacheSize;
    private transient SeenIdsCache cache;

    /**
     * @param ttl {@code ingest.dedup-ttl}
     * @param cacheSize {@code ingest.dedup-cache}: sessions kept on the heap per subtask (0: none,
     *     every event reads and writes the keyed state as the plain function does)
     */
    public DeduplicatorOperator(Duration ttl, int cacheSize) {
        super(new Deduplicator(ttl));
        if (cacheSize < 0) throw new IllegalArgumentException("cacheSize must be >= 0");
        this.cacheSize = cacheSize;
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (cacheSize > 0) cache = ((Deduplicator) userFunction).cacheWith(this, cacheSize);
    }

    @Override
    protected WriteBehind writeBehind() {
        return cache;
    }

    /** The cache, for tests; null when {@code ingest.dedup-cache} is 0. */
    SeenIdsCache cache() {
        return cache;
    }
}
