package io.beaconflow.jobs.state;

import io.beaconflow.jobs.model.WriteBehindOperator;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A bounded heap cache in front of one keyed {@link ValueState}, written behind: a value read or
 * written by the operator stays on the heap, changed there in place, and reaches the state backend
 * only when it is evicted (least recently used, beyond {@code capacity} keys) or when {@link
 * #flush()} writes every changed value, which the operator does before each snapshot. So a
 * checkpoint or savepoint holds exactly what it would without the cache (the same state, the same
 * format), while an active key costs no state read and write per record.
 *
 * <p>Why: on RocksDB every {@code value()} deserializes the whole value and every {@code update()}
 * serializes it again and writes it; a session's value was read and rewritten for each of its ~40
 * events (docs/benchmarks.md, "Session 2026-12-03"). Between two checkpoints a key is now read at
 * most once and written at most once (more only if it is evicted and comes back).
 *
 * <p>Keys: the cache uses the operator's current key ({@link KeyContext}); writing an evicted or
 * flushed value sets the operator's key to that value's key and back, so the backend files it under
 * its own key group.
 *
 * <p>Heap backends hand out the live object and snapshot asynchronously from it; a cached value
 * changed in place would race with the snapshot. For a backend that does not copy on write ({@code
 * copyOnTransfer}), values are copied with the state's serializer when loaded and when written.
 *
 * <p>Not thread-safe: one instance per operator subtask, used from its task thread only.
 */
public final class WriteBehindCache<K, V> implements WriteBehindOperator.WriteBehind {
    private final ValueState<V> state;
    private final KeyContext keys;
    private final TypeSerializer<V> serializer;
    private final boolean copyOnTransfer;
    private final int capacity;

    /** In access order: the first entry is the least recently used. */
    private final LinkedHashMap<K, Entry<V>> entries;

    private long reads;
    private long writes;
    private long evictions;

    private static final class Entry<V> {
        V value;

        /** Changed since it was last written to (or read from) the state backend. */
        boolean dirty;

        /** The backend may hold a value for this key (so removing it must clear the backend). */
        boolean inBackend;
    }

    /**
     * @param state the keyed state the values belong in
     * @param keys the operator (its current key selects the value)
     * @param serializer the state's serializer, for copies when {@code copyOnTransfer}
     * @param copyOnTransfer true for a backend that keeps the objects it is given (heap)
     * @param capacity keys kept on the heap, at least 1
     */
    public WriteBehindCache(
            ValueState<V> state,
            KeyContext keys,
            TypeSerializer<V> serializer,
            boolean copyOnTransfer,
            int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        this.state = state;
        this.keys = keys;
        this.serializer = serializer;
        this.copyOnTransfer = copyOnTransfer;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true);
    }

    /** The current key's value, or null; the caller may change it in place and then update. */
    public V value() throws IOException {
        @SuppressWarnings("unchecked")
        K key = (K) keys.getCurrentKey();
        Entry<V> e = entries.get(key);
        if (e != null) return e.value;
        V stored = state.value();
        reads++;
        e = new Entry<>();
        // An absent value is cached too: a new key then costs one backend read, not one per record,
        // and no delete when it is removed before ever being written.
        e.value = stored == null || !copyOnTransfer ? stored : serializer.copy(stored);
        e.inBackend = stored != null;
        entries.put(key, e);
        evictBeyondCapacity();
        return e.value;
    }

    /** Sets the current key's value; it reaches the backend when evicted or flushed. */
    public void update(V value) throws IOException {
        if (value == null) {
            clear();
            return;
        }
        @SuppressWarnings("unchecked")
        K key = (K) keys.getCurrentKey();
        Entry<V> e = entries.get(key);
        if (e == null) {
            e = new Entry<>();
            // Unknown here: it may have been evicted earlier, so the backend may hold a value.
            e.inBackend = true;
            entries.put(key, e);
            e.value = value;
            e.dirty = true;
            evictBeyondCapacity();
            return;
        }
        e.value = value;
        e.dirty = true;
    }

    /** Removes the current key's value here and, if it may be there, in the backend. */
    public void clear() {
        Entry<V> e = entries.remove(keys.getCurrentKey());
        if (e == null || e.inBackend) state.clear();
    }

    /**
     * Writes every changed value to the backend (before a snapshot); the values stay cached,
     * unchanged. Restores the operator's current key.
     */
    @Override
    public void flush() throws IOException {
        Object current = keys.getCurrentKey();
        boolean moved = false;
        for (Map.Entry<K, Entry<V>> me : entries.entrySet()) {
            Entry<V> e = me.getValue();
            if (!e.dirty) continue;
            keys.setCurrentKey(me.getKey());
            moved = true;
            write(e);
        }
        if (moved && current != null) keys.setCurrentKey(current);
    }

    private void evictBeyondCapacity() throws IOException {
        if (entries.size() <= capacity) return;
        Object current = keys.getCurrentKey();
        Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator();
        while (entries.size() > capacity) {
            Map.Entry<K, Entry<V>> eldest = it.next();
            it.remove();
            evictions++;
            if (eldest.getValue().dirty) {
                keys.setCurrentKey(eldest.getKey());
                write(eldest.getValue());
                keys.setCurrentKey(current);
            }
        }
    }

    private void write(Entry<V> e) throws IOException {
        state.update(copyOnTransfer ? serializer.copy(e.value) : e.value);
        e.dirty = false;
        e.inBackend = true;
        writes++;
    }

    /** Keys on the heap now. */
    public int size() {
        return entries.size();
    }

    /**
     * Keys on the heap with a value (not counting the cached absences, which hold nothing and are
     * never written): what would be lost without the flush. Walks every entry; for tests.
     */
    public int sizeWithValues() {
        int n = 0;
        for (Entry<V> e : entries.values()) {
            if (e.value != null) n++;
        }
        return n;
    }

    /** Reads that went to the backend (cache misses). */
    public long backendReads() {
        return reads;
    }

    /** Writes that went to the backend (evictions and flushes of changed values). */
    public long backendWrites() {
        return writes;
    }

    /** Keys evicted for the capacity. */
    public long evictions() {
        return evictions;
    }
}
