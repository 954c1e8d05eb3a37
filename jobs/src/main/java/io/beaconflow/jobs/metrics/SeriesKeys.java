package io.beaconflow.jobs.metrics;

import java.util.HashMap;

/**
 * The series keys of one fan-out instance, each made once: {@link SeriesKey#of} per app, dimension
 * and value, kept and handed out again. Why: every event becomes about ten series samples, and each
 * sample's key was a new string built by concatenation and hashed again downstream (the
 * pre-aggregator's map); the profile of {@code ./beaconflow bench} had the concatenation alone at
 * ~2 % of the pipeline (docs/benchmarks.md). A kept key has its hash code computed once, and the
 * dimension values the cardinality guard hands out are its own instances, so a lookup here hashes
 * nothing new either.
 *
 * <p>Bounded: past {@code capacity} keys it starts over (the cardinality budgets bound the keys in
 * normal operation far below the default). Capacity 0 keeps nothing and builds every key. Not
 * thread-safe; one per operator instance.
 */
public final class SeriesKeys {
    /** Builds every key, keeps none (tests, benchmarks, one-off callers). */
    public static final SeriesKeys UNCACHED = new SeriesKeys(0);

    /** Default bound: far above the series a subtask sees within the cardinality budgets. */
    public static final int DEFAULT_CAPACITY = 100_000;

    private static final int DIMENSIONS = Dimension.values().length;

    private final int capacity;
    private final HashMap<String, HashMap<String, String>[]> byApp = new HashMap<>();
    private int size;
    private String lastApp;
    private HashMap<String, String>[] lastMaps;

    public SeriesKeys(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        this.capacity = capacity;
    }

    /** {@link SeriesKey#of}{@code (app, dimension, value)}, the same instance for equal inputs. */
    public String of(String app, Dimension dimension, String value) {
        if (capacity == 0) {
            return SeriesKey.of(app, dimension, value);
        }
        HashMap<String, String>[] maps = mapsOf(app);
        HashMap<String, String> keys = maps[dimension.ordinal()];
        if (keys == null) {
            keys = new HashMap<>();
            maps[dimension.ordinal()] = keys;
        }
        String key = keys.get(value);
        if (key == null) {
            if (size >= capacity) {
                clear();
                return of(app, dimension, value);
            }
            key = SeriesKey.of(app, dimension, value);
            keys.put(value, key);
            size++;
        }
        return key;
    }

    /** Keys kept now. */
    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    private HashMap<String, String>[] mapsOf(String app) {
        if (lastApp != null && (lastApp == app || lastApp.equals(app))) {
            return lastMaps;
        }
        HashMap<String, String>[] maps =
                byApp.computeIfAbsent(
                        app, a -> (HashMap<String, String>[]) new HashMap[DIMENSIONS]);
        lastApp = app;
        lastMaps = maps;
        return maps;
    }

    private void clear() {
        byApp.clear();
        size = 0;
        lastApp = null;
        lastMaps = null;
    }
}
