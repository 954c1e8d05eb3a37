package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.state.MapWriteBehindCache;
import io.beaconflow.jobs.state.StateBackends;
import java.util.List;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * Runs {@link DetectorFunction} with its per-metric detector states ({@code detector-state}) and
 * its kept scores ({@code detector-recent-scores}) behind {@link MapWriteBehindCache}s of {@code
 * detection.state-cache} series, on a state backend that serializes on write (RocksDB): a series'
 * states are then read once and written once per checkpoint interval instead of once per scored
 * metric of every row. On a heap backend, or with a cache of 0, it is exactly the operator {@code
 * connect(broadcast).process(function)} builds.
 *
 * <p>Exactly the function's results, state and timers: the cache is written to the keyed state
 * before every snapshot (before the barrier goes on) and at the end, so each checkpoint and
 * savepoint holds the same entries in the same format as without it, and a restore (with any
 * parallelism) starts from them. Same uid ("detector"), states and broadcast state: savepoints of
 * the plain operator restore into it and back.
 */
public class DetectorOperator
        extends CoBroadcastWithKeyedOperator<String, MetricAggregate, SpecUpdate, ScoredAggregate> {
    private static final long serialVersionUID = 1L;

    private final int cacheSize;
    private transient List<MapWriteBehindCache<?, ?>> caches;

    /**
     * @param function the scoring function
     * @param cacheSize series whose detector states (and kept scores) stay on the heap per subtask
     *     (0: none)
     */
    public DetectorOperator(DetectorFunction function, int cacheSize) {
        super(function, List.of(SpecBroadcast.DESCRIPTOR));
        this.cacheSize = cacheSize;
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Only where every write serializes: a heap backend keeps (and snapshots asynchronously)
        // the objects it is given, and its get and put cost no serialization.
        if (cacheSize > 0 && StateBackends.isRocksDb(getKeyedStateBackend())) {
            caches = ((DetectorFunction) userFunction).writeBehind(this, cacheSize);
            var states = caches.get(0);
            var group = getMetricGroup();
            group.gauge("stateCacheSeries", (Gauge<Integer>) states::size);
            group.gauge("stateCacheBackendReads", (Gauge<Long>) states::backendReads);
            group.gauge("stateCacheBackendWrites", (Gauge<Long>) states::backendWrites);
            group.gauge("stateCacheEvictions", (Gauge<Long>) states::evictions);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() throws Exception {
        if (caches == null) return;
        for (MapWriteBehindCache<?, ?> c : caches) c.flush();
    }

    /** The detector states' cache, for tests; null without one (heap backend, or a size of 0). */
    MapWriteBehindCache<?, ?> cache() {
        return caches == null ? null : caches.get(0);
    }

    /** The kept scores' cache, for tests; null without one. */
    MapWriteBehindCache<?, ?> scoresCache() {
        return caches == null ? null : caches.get(1);
    }
}
