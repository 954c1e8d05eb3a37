package io.beaconflow.jobs.state;

import io.beaconflow.jobs.model.WriteBehindOperator;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 * #iterator()}, {@link #isEmpty()}) read the key's whole map from the backend once (one prefix
 * scan), after which the key is held complete: later iterations, and gets of entries it does not
 * hold, need no backend call until the key is evicted. They iterate a copy, so the caller may put
 * and remove while iterating; the order is the cache's, not the backend's (callers whose results
 * depend on an order sort, as the heap and RocksDB backends iterate in different orders anyway).
 * Keys are the operator's ({@link KeyContext}); writing an evicted or flushed key's entries sets
 * the operator's key to it and back, so the backend files them under its own key group. Not
 * thread-safe: one instance per operator subtask, on its task thread.
 */
public final class MapWriteBehindCache<UK, UV>
        implements MapState<UK, UV>, WriteBehindOperator.WriteBehind {
    private final MapState<UK, UV> state;
    private final KeyContext keys;
    private final int capacity;

    /** Per key, its entries read or written since it entered; in access order (LRU first). */
    private final LinkedHashMap<Object, KeyMap<UK, UV>> cached;

    private long reads;
    private long writes;
    private long evictions;

    /** One key's cached entries. */
    private static final class KeyMap<K, V> {
        final HashMap<K, Entry<V>> entries = new HashMap<>();

        /** Every entry the backend holds for the key is in {@link #entries} (or removed there). */
        boolean complete;
    }

    /** What a complete key answers for an entry it does not hold; never changed. */
    @SuppressWarnings("rawtypes")
    private static final Entry ABSENT = new Entry<>(null, false, false, false);

    private static final class Entry<V> {
        V value;

        /** False for an entry the backend does not hold (or will not, once written). */
        boolean present;

        /** Changed since it was read from or written to the backend. */
        boolean dirty;

        /** The backend may hold a value for it (so removing it must reach the backend). */
        boolean inBackend;

        Entry(V value, boolean present, boolean dirty, boolean inBackend) {
            this.value = value;
            this.present = present;
            this.dirty = dirty;
            this.inBackend = inBackend;
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
    private KeyMap<UK, UV> current() throws Exception {
        Object key = keys.getCurrentKey();
        KeyMap<UK, UV> m = cached.get(key);
        if (m == null) {
            m = new KeyMap<>();
            cached.put(key, m);
            evictBeyondCapacity();
        }
        return m;
    }

    /** The entry of {@code userKey}, read from the backend (and cached) if not held yet. */
    @SuppressWarnings("unchecked")
    private Entry<UV> entry(KeyMap<UK, UV> m, UK userKey) throws Exception {
        Entry<UV> e = m.entries.get(userKey);
        if (e == null) {
            if (m.complete) return ABSENT; // the key holds every entry it has
            // An absent entry is cached too: asking again costs no backend read.
            UV stored = state.get(userKey);
            boolean present = stored != null || state.contains(userKey);
            e = new Entry<>(stored, present, false, present);
            reads++;
            m.entries.put(userKey, e);
        }
        return e;
    }

    /** The current key's map with every backend entry loaded (one scan, the first time). */
    private KeyMap<UK, UV> complete() throws Exception {
        KeyMap<UK, UV> m = current();
        if (!m.complete) {
            for (Map.Entry<UK, UV> e : state.entries()) {
                // What is held here is newer than the backend (changed, or removed).
                m.entries.putIfAbsent(e.getKey(), new Entry<>(e.getValue(), true, false, true));
            }
            reads++;
            m.complete = true;
        }
        return m;
    }

    /** A copy of the current key's present entries. */
    private List<Map.Entry<UK, UV>> present() throws Exception {
        List<Map.Entry<UK, UV>> out = new ArrayList<>();
        for (Map.Entry<UK, Entry<UV>> e : complete().entries.entrySet()) {
            if (e.getValue().present) {
                out.add(new CachedEntry(e.getKey(), e.getValue().value));
            }
        }
        return out;
    }

    /** An entry handed out by the iterating calls; setting its value puts it. */
    private final class CachedEntry extends AbstractMap.SimpleEntry<UK, UV> {
        private static final long serialVersionUID = 1L;

        CachedEntry(UK key, UV value) {
            super(key, value);
        }

        @Override
        public UV setValue(UV value) {
            try {
                put(getKey(), value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return super.setValue(value);
        }
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
        KeyMap<UK, UV> m = current();
        Entry<UV> e = m.entries.get(userKey);
        if (e == null) {
            // Unknown here: the backend may hold an older value (not when the key is complete).
            m.entries.put(userKey, new Entry<>(value, true, true, !m.complete));
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
        KeyMap<UK, UV> m = current();
        Entry<UV> e = m.entries.get(userKey);
        if (e == null) {
            // Unknown here: the backend may hold it, unless the key is complete.
            if (!m.complete) m.entries.put(userKey, new Entry<>(null, false, true, true));
            return;
        }
        if (!e.inBackend) {
            // Never written: nothing to remove there. A complete key answers absent for it, an
            // incomplete one reads the backend, which does not hold it.
            m.entries.remove(userKey);
            return;
        }
        e.value = null;
        e.present = false;
        e.dirty = true;
    }

    /**
     * Removes the current key's entries here and in the backend. A complete key knows every entry
     * the backend holds, so it removes just those: RocksDB's {@code clear()} is a prefix scan that
     * first steps over the tombstones of every entry the key ever removed (a series' expired
     * scores), 1 % of the RocksDB bench's task CPU when a series goes idle.
     */
    @Override
    public void clear() {
        KeyMap<UK, UV> m = cached.remove(keys.getCurrentKey());
        try {
            if (m != null && m.complete) {
                for (Map.Entry<UK, Entry<UV>> e : m.entries.entrySet()) {
                    if (e.getValue().inBackend) {
                        state.remove(e.getKey());
                        writes++;
                    }
                }
            } else {
                state.clear();
            }
        } catch (Exception e) {
            // MapState.clear() declares no exception; RocksDB's own clear wraps its errors too.
            throw new IllegalStateException("clearing a cached map state failed", e);
        }
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() throws Exception {
        return present();
    }

    @Override
    public Iterable<UK> keys() throws Exception {
        // Straight from the cached entries: the detector's timers sweep the kept scores' keys,
        // and an entry object per key would be built only to be dropped.
        List<UK> out = new ArrayList<>();
        for (Map.Entry<UK, Entry<UV>> e : complete().entries.entrySet()) {
            if (e.getValue().present) out.add(e.getKey());
        }
        return out;
    }

    @Override
    public Iterable<UV> values() throws Exception {
        List<UV> out = new ArrayList<>();
        for (Entry<UV> e : complete().entries.values()) {
            if (e.present) out.add(e.value);
        }
        return out;
    }

    @Override
    public Iterator<Map.Entry<UK, UV>> iterator() throws Exception {
        Iterator<Map.Entry<UK, UV>> it = present().iterator();
        return new Iterator<>() {
            private Map.Entry<UK, UV> last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<UK, UV> next() {
                last = it.next();
                return last;
            }

            @Override
            public void remove() {
                if (last == null) throw new IllegalStateException("next() first");
                try {
                    MapWriteBehindCache.this.remove(last.getKey());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                last = null;
            }
        };
    }

    @Override
    public boolean isEmpty() throws Exception {
        for (Entry<UV> e : complete().entries.values()) {
            if (e.present) return false;
        }
        return true;
    }

    /**
     * Writes every changed entry to the backend (before a snapshot); the entries stay cached.
     * Restores the operator's current key.
     */
    @Override
    public void flush() throws Exception {
        Object current = keys.getCurrentKey();
        boolean moved = false;
        for (Map.Entry<Object, KeyMap<UK, UV>> k : cached.entrySet()) {
            if (!anyDirty(k.getValue())) continue;
            keys.setCurrentKey(k.getKey());
            moved = true;
            write(k.getValue());
        }
        if (moved && current != null) keys.setCurrentKey(current);
    }

    private static <UK, UV> boolean anyDirty(KeyMap<UK, UV> m) {
        for (Entry<UV> e : m.entries.values()) {
            if (e.dirty) return true;
        }
        return false;
    }

    /** Writes the changed entries of one key, which must be the operator's current key. */
    private void write(KeyMap<UK, UV> m) throws Exception {
        Iterator<Map.Entry<UK, Entry<UV>>> it = m.entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<UK, Entry<UV>> me = it.next();
            Entry<UV> e = me.getValue();
            if (!e.dirty) continue;
            if (e.present) {
                state.put(me.getKey(), e.value);
                e.dirty = false;
                e.inBackend = true;
            } else {
                state.remove(me.getKey());
                // Removed for good: a key that expires entries (kept scores, row digests) would
                // otherwise hold one absence per entry it ever had.
                it.remove();
            }
            writes++;
        }
    }

    private void evictBeyondCapacity() throws Exception {
        if (cached.size() <= capacity) return;
        Object current = keys.getCurrentKey();
        Iterator<Map.Entry<Object, KeyMap<UK, UV>>> it = cached.entrySet().iterator();
        while (cached.size() > capacity) {
            // The newest key is the last in access order, so never the eldest here.
            Map.Entry<Object, KeyMap<UK, UV>> eldest = it.next();
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
