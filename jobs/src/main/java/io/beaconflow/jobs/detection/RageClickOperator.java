package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.WriteBehindOperator;
import io.beaconflow.jobs.state.StateBackends;
import java.util.List;
import org.apache.flink.metrics.Gauge;

/**
 * Runs {@link RageClickDetector} with its states ({@code rage-pending}, {@code rage-burst}, {@code
 * rage-cleanup}) behind heap caches of {@code detection.frustration.state-cache} click targets, on
 * RocksDB; on a heap backend, or with a cache of 0, it is exactly what {@code process(function)}
 * builds. Why: each click cost about ten RocksDB reads, writes and deletes (its pending clicks, its
 * burst, its clean-up time), 6.7 % of the RocksDB bench's task CPU, for targets that mostly live a
 * second or two (docs/benchmarks.md, "Session 2026-12-08 (2)").
 *
 * <p>Exactly the function's results, state and timers: the caches are written to the keyed state
 * before every snapshot (before the barrier goes on) and at the end, so each checkpoint and
 * savepoint holds what the plain operator holds, in the same format. Same uid ("rage-clicks") and
 * states: savepoints of the plain operator restore into it and back.
 */
public class RageClickOperator extends WriteBehindOperator<RumEvent, RageClick> {
    private static final long serialVersionUID = 1L;

    private final int cacheSize;
    private transient List<WriteBehind> caches;

    /**
     * @param function the detector
     * @param cacheSize click targets whose states stay on the heap per subtask (0: none)
     */
    public RageClickOperator(RageClickDetector function, int cacheSize) {
        super(function);
        this.cacheSize = cacheSize;
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Only where every state access serializes: on a heap backend the states are heap maps
        // already, and a cached value changed in place would race with its asynchronous snapshots.
        if (cacheSize > 0 && StateBackends.isRocksDb(getKeyedStateBackend())) {
            caches = ((RageClickDetector) userFunction).writeBehind(this, cacheSize);
            var pending = (io.beaconflow.jobs.state.MapWriteBehindCache<?, ?>) caches.get(0);
            getMetricGroup().gauge("stateCacheTargets", (Gauge<Integer>) pending::size);
            getMetricGroup().gauge("stateCacheBackendWrites", (Gauge<Long>) pending::backendWrites);
        }
    }

    @Override
    protected WriteBehind writeBehind() {
        if (caches == null) return null;
        return () -> {
            for (WriteBehind c : caches) c.flush();
        };
    }

    /** The caches in the order pending clicks, burst, clean-up time; null without them (tests). */
    List<WriteBehind> caches() {
        return caches;
    }
}
