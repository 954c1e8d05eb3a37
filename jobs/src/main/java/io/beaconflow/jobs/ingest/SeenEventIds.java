package io.beaconflow.jobs.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * What {@link Deduplicator} keeps per session, in one value: the event ids seen, each with its
 * expiry (event time + {@code dedup-ttl}), and the time of the session's one pending event-time
 * timer ({@link #NO_TIMER} when none). One value so that an event costs one state read, which hits
 * for every event of a session but its first: a lookup per event id would miss for every new id,
 * and on RocksDB a miss is the expensive kind of read.
 *
 * <p>A Flink POJO: the map goes through Flink's {@code MapSerializer}, never Kryo.
 */
public class SeenEventIds {
    public static final long NO_TIMER = Long.MIN_VALUE;

    /** Event id → expiry (event time, epoch millis). */
    public Map<String, Long> expiries = new HashMap<>();

    /** When the pending timer fires, or {@link #NO_TIMER}. */
    public long timerAt = NO_TIMER;

    /**
     * Whether ids beyond {@link Deduplicator#MAX_IDS_IN_VALUE} are kept in the overflow map state:
     * a session with thousands of events within the TTL must not make every event read and write a
     * value that large.
     */
    public boolean overflowed;

    public SeenEventIds() {}
}
