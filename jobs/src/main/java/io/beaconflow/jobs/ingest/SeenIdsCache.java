package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.WriteBehindOperator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The {@link Deduplicator}'s state of up to {@code capacity} sessions on the heap, written behind:
 * each cached session holds all its seen ids with their expiries and its timer time, so a lookup,
 * an insert and the timer's expiry scan cost no state access; the keyed state ({@code dedup-seen},
 * {@code dedup-timer}) receives the new ids, the removed ids and the changed timer time only before
 * a snapshot ({@link #flush()}), when a session is evicted (least recently used) or when its last
 * id expires. So every snapshot holds what the plain function would hold, in the same format.
 *
 * <p>Why: on RocksDB the plain function does three state operations per event ({@code contains},
 * {@code put}, the timer's {@code value()}) and a prefix scan per timer (docs/benchmarks.md,
 * "Session 2026-12-03 (2)"). With the cache a session costs one read of its timer time when it
 * enters the cache (plus one scan of its ids if it has any in the backend: evicted or restored),
 * then one write per id before the next snapshot, and one delete per id at expiry.
 *
 * <p>Complete entries: the function keeps a timer time exactly while it keeps ids (it sets one with
 * the first id, clears it when the last expires), so a session with no timer time in the backend
 * has no ids there, and a cached session always holds all its ids.
 *
 * <p>Ids and expiries are immutable ({@code String}, {@code Long}), so the heap backend may keep
 * them without copies. Not thread-safe: one instance per operator subtask, task thread only.
 */
final class SeenIdsCache implements WriteBehindOperator.WriteBehind {
    private final MapState<String, Long> seen;
    private final ValueState<Long> timer;
    private final KeyContext keys;
    private final int capacity;

    /** In access order: the first entry is the least recently used. */
    private final LinkedHashMap<Object, Ids> entries;

    private long loads;
    private long writes;
    private long evictions;

    /** One session's ids: all of them, and what the backend does not know yet. */
    static final class Ids {
        private final Map<String, Long> expiries = new HashMap<>();

        /**
         * Ids whose value is not yet in the backend, each with whether the backend holds an older
         * entry for it (an id that expired and was sent again before a write).
         */
        private final Map<String, Boolean> unwritten = new HashMap<>();

        /** Ids removed here that the backend still holds. */
        private final Set<String> removed = new HashSet<>();

        private Long timerAt;
        private boolean timerChanged;

        boolean contains(String id) {
            return expiries.containsKey(id);
        }

        void add(String id, long expiry) {
            expiries.put(id, expiry);
            // Expired and sent again before a write: the put will replace the backend's entry.
            unwritten.put(id, removed.remove(id));
        }

        /** Every id with its expiry (do not change it while iterating). */
        Iterable<Map.Entry<String, Long>> expiries() {
            return expiries.entrySet();
        }

        void remove(String id) {
            expiries.remove(id);
            Boolean olderInBackend = unwritten.remove(id);
            if (olderInBackend == null || olderInBackend) removed.add(id);
        }

        Long timer() {
            return timerAt;
        }

        void timer(Long at) {
            timerAt = at;
            timerChanged = true;
        }

        boolean changed() {
            return !unwritten.isEmpty() || !removed.isEmpty() || timerChanged;
        }
    }

    SeenIdsCache(
            MapState<String, Long> seen, ValueState<Long> timer, KeyContext keys, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        this.seen = seen;
        this.timer = timer;
        this.keys = keys;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true);
    }

    /** The current key's ids, loaded from the backend when not cached. */
    Ids get() throws Exception {
        Object key = keys.getCurrentKey();
        Ids ids = entries.get(key);
        if (ids != null) return ids;
        ids = new Ids();
        loads++;
        ids.timerAt = timer.value();
        if (ids.timerAt != null) {
            for (Map.Entry<String, Long> stored : seen.entries()) {
                ids.expiries.put(stored.getKey(), stored.getValue());
            }
        }
        entries.put(key, ids);
        evictBeyondCapacity(key);
        return ids;
    }

    /**
     * After the current key's timer: a session left without ids and timer leaves the cache, its
     * removals written now (it may not be seen again before the next snapshot).
     */
    void dropIfEmpty(Ids ids) throws Exception {
        if (!ids.expiries.isEmpty() || ids.timerAt != null) return;
        entries.remove(keys.getCurrentKey());
        write(ids);
    }

    /** Writes every changed session to the backend (before a snapshot); they stay cached. */
    @Override
    public void flush() throws Exception {
        Object current = keys.getCurrentKey();
        boolean moved = false;
        for (Map.Entry<Object, Ids> e : entries.entrySet()) {
            if (!e.getValue().changed()) continue;
            keys.setCurrentKey(e.getKey());
            moved = true;
            write(e.getValue());
        }
        if (moved && current != null) keys.setCurrentKey(current);
    }

    private void evictBeyondCapacity(Object current) throws Exception {
        if (entries.size() <= capacity) return;
        Iterator<Map.Entry<Object, Ids>> it = entries.entrySet().iterator();
        while (entries.size() > capacity) {
            Map.Entry<Object, Ids> eldest = it.next();
            it.remove();
            evictions++;
            if (eldest.getValue().changed()) {
                keys.setCurrentKey(eldest.getKey());
                write(eldest.getValue());
                keys.setCurrentKey(current);
            }
        }
    }

    /** Brings the backend up to date for the current key, which must be this entry's. */
    private void write(Ids ids) throws Exception {
        if (!ids.changed()) return;
        for (String id : ids.unwritten.keySet()) seen.put(id, ids.expiries.get(id));
        for (String id : ids.removed) seen.remove(id);
        if (ids.timerChanged) {
            if (ids.timerAt == null) timer.clear();
            else timer.update(ids.timerAt);
        }
        ids.unwritten.clear();
        ids.removed.clear();
        ids.timerChanged = false;
        writes++;
    }

    /** Sessions on the heap now. */
    int size() {
        return entries.size();
    }

    /** Sessions read from the backend (cache misses). */
    long loads() {
        return loads;
    }

    /** Sessions written to the backend (flushes, evictions, expiries of their last id). */
    long writes() {
        return writes;
    }

    long evictions() {
        return evictions;
    }
}
