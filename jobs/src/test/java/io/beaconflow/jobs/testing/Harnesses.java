package io.beaconflow.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The check every stateful operator's harness test ends with: no keyed state entry and no
 * event-time timer is left once its keys are done, or state grows without bound on a long-running
 * job. Flink counts the entries on the keyed harnesses only, one method each, hence two overloads.
 * Also what an operator sent to a side output, as plain values.
 */
public final class Harnesses {
    private Harnesses() {}

    /**
     * RocksDB as the harnesses run it: timers on the heap (as flink-conf/config.yaml sets) or not.
     */
    public static org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend rocksDb(
            boolean heapTimers) {
        var rocksDb = new org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend();
        rocksDb.setPriorityQueueStateType(
                heapTimers
                        ? org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend
                                .PriorityQueueStateType.HEAP
                        : org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend
                                .PriorityQueueStateType.ROCKSDB);
        return rocksDb;
    }

    public static void assertNothingLeft(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        assertNothingLeft(h.numKeyedStateEntries(), h);
    }

    public static void assertNothingLeft(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        assertNothingLeft(h.numKeyedStateEntries(), h);
    }

    /**
     * The values {@code h}'s operator sent to {@code tag} so far, in order; empty when it sent none
     * (the harness has no queue for a tag until its first record).
     */
    public static <T> List<T> sideOutput(AbstractStreamOperatorTestHarness<?> h, OutputTag<T> tag) {
        List<T> out = new ArrayList<>();
        var queue = h.getSideOutput(tag);
        if (queue != null) {
            for (StreamRecord<T> r : queue) out.add(r.getValue());
        }
        return out;
    }

    private static void assertNothingLeft(int entries, AbstractStreamOperatorTestHarness<?> h) {
        assertThat(entries).as("keyed state entries").isZero();
        assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    }
}
