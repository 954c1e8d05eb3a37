package io.beaconflow.jobs.state;

import io.beaconflow.jobs.model.WriteBehindOperator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A bounded heap cache in front of one keyed {@link MapState}, written behind: the entries of up to
 * {@code capacity} keys stay on the heap, changed there in place, and reach the state backend only
 * when their key is evicted (least recently used) or when {@link #flush()} writes every changed
 * entry, which the operator does before each snapshot ({@link WriteBehindOperator}'s contract). So
 * a checkpoint or savepoint holds exactly what the map state would hold without the cache, in the
 * same format under the same name, while an active key's entries cost no state read and write per
 * record.
 *
 * <p>Why: the detector stage reads and writes one {@code DetectorState} (2-10 KB) per scored metric
 * of every row, ~15 per row; on RocksDB each is a deserialization, a JNI call and a serialization.
 * It was the largest RocksDB cost of the pipeline (docs/benchmarks.md, "Session 2026-12-08").
 *
 * <p>Only for backends that serialize on write (RocksDB, whichever its timers). A heap backend
 * keeps and snapshots the very objects it is given, asynchronously, so values changed in place here
 * would race with its snapshots; there a map state's get and put are already map operations on the
 * live objects, and the operator does not use this class.
 *
 * <p>The iterating calls ({@link #keys()}, {@link #entries()}, {@link #values()}, {@link
 * #iterator()}, {@link #isEmpty()}) write the current key's changes first and then read the
 * backend; its cached entries are dropped, so objects a caller gets from them are the ones a later
 * {@link #get} sees. Keys are the operator's ({@link KeyContext}); writing an evicted or flushed
 * key's entries sets the operator's key to it and back, so the backend files them under their own
 * key group. Not thread-safe: one instance per operator subtask, on its task thread.
 */
public final class MapWriteBehindCache<UK, UV>
        implements MapState<UK, UV>, WriteBehindOperator.WriteBehind {
    private final MapState<UK, UV> state;
    private final KeyContext keys;
    private final int capacity;

    /** Per key, its entries read or written since it entered; in access order (LRU first). */
    private final LinkedHashMap<Object, Map<UK, Entry<UV>>> cached;

    private long reads;
    private long writes;
    private long evictions;

    private static final class Entry<V> {
        V value;

        /** False for an entry the backend does not hold (or will not, once written). */
        boolean present;

        /** Changed since it was read from or written to the backend. */
        boolean dirty;

        Entry(V value, boolean present, boolean dirty) {
            this.value = value;
            this.present = present;
            this.dirty = dirty;
        }
    }

    /**
     * @param state the keyed map state the entries belong in (on a backend that serializes on
     *     write)
     * @param keys the operator (its current key selects the map)
     * @param capacity keys kept on the heap, at least 1
     */
    public MapWriteBehindCache(MapState<UK, UV> state, KeyContext keys, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        this.state = state;
        this.keys = keys;
        this.capacity = capacity;
        this.cached = new LinkedHashMap<>(Math.min(capacity, 1 << 12), 0.75f, true);
    }

    /** The current key's cached entries, created (and the eldest keys evicted) when absent. */
    private Map<UK, Entry<UV>> current() throws Exception {
        Object key = keys.getCurrentKey();
        Map<UK, Entry<UV>> m = cached.get(key);
        if (m == null) {
            m = new HashMap<>();
            cached.put(key, m);
            evictBeyondCapacity();
        }
        return m;
    }

    private Entry<UV> entry(Map<UK, Entry<UV>> m, UK userKey) throws Exception {
        Entry<UV> e = m.get(userKey);
        if (e == null) {
            // An absent entry is cached too: asking again costs no backend read.
            UV stored = state.get(userKey);
            e = new Entry<>(stored, stored != null || state.contains(userKey), false);
            reads++;
            m.put(userKey, e);
        }
        return e;
    }

    @Override
    public UV get(UK userKey) throws Exception {
        return entry(current(), userKey).value;
    }

    @Override
    public boolean contains(UK userKey) throws Exception {
        return entry(current(), userKey).present;
    }

    @Override
    public void put(UK userKey, UV value) throws Exception {
        Map<UK, Entry<UV>> m = current();
        Entry<UV> e = m.get(userKey);
        if (e == null) {
            m.put(userKey, new Entry<>(value, true, true));
            return;
        }
        e.value = value;
        e.present = true;
        e.dirty = true;
    }

    @Override
    public void putAll(Map<UK, UV> map) throws Exception {
        for (Map.Entry<UK, UV> e : map.entrySet()) {
            put(e.getKey(), e.getValue());
        }
    }

    @Override
    public void remove(UK userKey) throws Exception {
        Map<UK, Entry<UV>> m = current();
        Entry<UV> e = m.get(userKey);
        if (e == null) {
            // Unknown here: the backend may hold it.
            m.put(userKey, new Entry<>(null, false, true));
            return;
        }
        if (e.present || e.dirty) {
            e.dirty = true;
        }
        e.value = null;
        e.present = false;
    }

    /** Removes the current key's entries here and in the backend. */
    @Override
    public void clear() {
        cached.remove(keys.getCurrentKey());
        state.clear();
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() throws Exception {
        writeAndDropCurrent();
        return state.entries();
    }

    @Override
    public Iterable<UK> keys() throws Exception {
        writeAndDropCurrent();
        return state.keys();
    }

    @Override
    public Iterable<UV> values() throws Exception {
        writeAndDropCurrent();
        return state.values();
    }

    @Override
    public Iterator<Map.Entry<UK, UV>> iterator() throws Exception {
        writeAndDropCurrent();
        return state.iterator();
    }

    @Override
    public boolean isEmpty() throws Exception {
        writeAndDropCurrent();
        return state.isEmpty();
    }

    private void writeAndDropCurrent() throws Exception {
        Map<UK, Entry<UV>> m = cached.remove(keys.getCurrentKey());
        if (m != null) write(m);
    }

    /**
     * Writes every changed entry to the backend (before a snapshot); the entries stay cached.
     * Restores the operator's current key.
     */
    @Override
    public void flush() throws Exception {
        Object current = keys.getCurrentKey();
        boolean moved = false;
        for (Map.Entry<Object, Map<UK, Entry<UV>>> k : cached.entrySet()) {
            if (!anyDirty(k.getValue())) continue;
            keys.setCurrentKey(k.getKey());
            moved = true;
            write(k.getValue());
        }
        if (moved && current != null) keys.setCurrentKey(current);
    }

    private static <UK, UV> boolean anyDirty(Map<UK, Entry<UV>> m) {
        for (Entry<UV> e : m.values()) {
            if (e.dirty) return true;
        }
        return false;
    }

    /** Writes the changed entries of one key, which must be the operator's current key. */
    private void write(Map<UK, Entry<UV>> m) throws Exception {
        for (Map.Entry<UK, Entry<UV>> me : m.entrySet()) {
            Entry<UV> e = me.getValue();
            if (!e.dirty) continue;
            if (e.present) {
                state.put(me.getKey(), e.value);
            } else {
                state.remove(me.getKey());
            }
            e.dirty = false;
            writes++;
        }
    }

    private void evictBeyondCapacity() throws Exception {
        if (cached.size() <= capacity) return;
        Object current = keys.getCurrentKey();
        Iterator<Map.Entry<Object, Map<UK, Entry<UV>>>> it = cached.entrySet().iterator();
        while (cached.size() > capacity) {
            // The newest key is the last in access order, so never the eldest here.
            Map.Entry<Object, Map<UK, Entry<UV>>> eldest = it.next();
            it.remove();
            evictions++;
            if (anyDirty(eldest.getValue())) {
                keys.setCurrentKey(eldest.getKey());
                write(eldest.getValue());
                keys.setCurrentKey(current);
            }
        }
    }

    /** Keys on the heap now. */
    public int size() {
        return cached.size();
    }

    /** Entries read from the backend (misses, absences included). */
    public long backendReads() {
        return reads;
    }

    /** Entries written to (or removed from) the backend by evictions and flushes. */
    public long backendWrites() {
        return writes;
    }

    /** Keys evicted for the capacity. */
    public long evictions() {
        return evictions;
    }
}
