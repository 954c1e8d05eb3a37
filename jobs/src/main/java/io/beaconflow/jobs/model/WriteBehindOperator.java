package io.beaconflow.jobs.model;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * A keyed process operator whose function keeps per-key state in a heap cache in front of the keyed
 * state ({@code state.WriteBehindCache} for sessions, {@code SeenIdsCache} for dedup): the cache is
 * written to the keyed state in {@link #prepareSnapshotPreBarrier} (before every checkpoint and
 * savepoint, before the barrier goes on) and in {@link #finish()}, so each snapshot holds what the
 * plain {@link KeyedProcessOperator} would hold. Subclasses create the cache in {@code open()} and
 * name it in {@link #writeBehind()}; their uids and states stay those of the plain operator.
 */
public abstract class WriteBehindOperator<IN, OUT> extends KeyedProcessOperator<String, IN, OUT> {
    private static final long serialVersionUID = 1L;

    /** A cache that holds changes back from the keyed state until {@link #flush()}. */
    public interface WriteBehind {
        /** Writes every changed entry to the keyed state; the entries stay cached. */
        void flush() throws Exception;
    }

    protected WriteBehindOperator(KeyedProcessFunction<String, IN, OUT> function) {
        super(function);
    }

    /** The cache to flush, or null when the operator runs without one (cache size 0). */
    protected abstract WriteBehind writeBehind();

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
        WriteBehind cache = writeBehind();
        if (cache != null) cache.flush();
    }
}
