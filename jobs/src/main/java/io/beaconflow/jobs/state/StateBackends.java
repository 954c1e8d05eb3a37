package io.beaconflow.jobs.state;

import org.apache.flink.runtime.state.KeyedStateBackend;

/** What an operator may assume of its keyed state backend. */
public final class StateBackends {
    /** {@code getBackendTypeIdentifier()} of the RocksDB keyed state backend. */
    static final String ROCKSDB = "rocksdb";

    private StateBackends() {}

    /**
     * Whether {@code backend} is RocksDB: every state write serializes (so a heap cache in front of
     * it saves work), and a key's {@code MapState} entries iterate in the byte order of their
     * serialized map keys (RocksDB's key order; the heap backend's map iterates in hash order).
     * Asked by type, not by {@code isSafeToReuseKVState()}, which RocksDB answers false when its
     * timers are on the heap, as flink-conf/config.yaml sets.
     */
    public static boolean isRocksDb(KeyedStateBackend<?> backend) {
        return ROCKSDB.equals(backend.getBackendTypeIdentifier());
    }
}
