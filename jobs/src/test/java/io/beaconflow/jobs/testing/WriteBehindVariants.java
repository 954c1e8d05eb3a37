package io.beaconflow.jobs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The scaffolding shared by the harness tests of the operators that keep their keyed state on the
 * heap and write it behind to the backend (deduplicator, session assembler, view route assigner):
 * which operator and backend a run uses ({@link Variant}), opening a harness on it, a checkpoint as
 * the task takes it, counting what the keyed backend holds, rendering output records as lines, and
 * the "nothing left in state, timers or cache" check. One place, so that every such test compares
 * the cached operator with the plain one the same way.
 */
public final class WriteBehindVariants {
    private WriteBehindVariants() {}

    /** The cache size that selects the plain function (no write-behind operator at all). */
    public static final int PLAIN = -1;

    /**
     * Which operator, which backend: {@code cache} is {@link #PLAIN} for the plain function, else
     * the write-behind cache's size in keys (0: the cache is off); {@code name} reads in failures.
     */
    public record Variant(String name, int cache, boolean rocksDb) {
        /** The plain function on the heap backend or RocksDB. */
        public static Variant plain(boolean rocksDb) {
            return new Variant("plain function, " + backend(rocksDb), PLAIN, rocksDb);
        }

        /** The write-behind operator with a cache of {@code cache} keys. */
        public static Variant cached(int cache, boolean rocksDb) {
            String size = cache == 0 ? "cache 0 (off)" : "cache of " + cache;
            return new Variant(size + ", " + backend(rocksDb), cache, rocksDb);
        }

        public boolean isPlain() {
            return cache == PLAIN;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static String backend(boolean rocksDb) {
        return rocksDb ? "RocksDB" : "heap";
    }

    /**
     * The plain function on RocksDB, the cache switched off on RocksDB, then each size on the heap
     * and on RocksDB: every variant a test compares with the plain function on the heap.
     */
    public static List<Variant> plainAndCached(int... sizes) {
        List<Variant> out = new ArrayList<>();
        out.add(Variant.plain(true));
        out.add(Variant.cached(0, true));
        out.addAll(cached(sizes));
        return out;
    }

    /** Each cache size on the heap, then on RocksDB (1: every other key evicted). */
    public static List<Variant> cached(int... sizes) {
        List<Variant> out = new ArrayList<>();
        for (int size : sizes) {
            out.add(Variant.cached(size, false));
            out.add(Variant.cached(size, true));
        }
        return out;
    }

    /** A harness on {@code op} with the variant's backend, restored if a snapshot is given. */
    public static <I, O> KeyedOneInputStreamOperatorTestHarness<String, I, O> open(
            Variant v,
            OneInputStreamOperator<I, O> op,
            KeySelector<I, String> key,
            OperatorSubtaskState restoreFrom)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, key, Types.STRING);
        if (v.rocksDb()) h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restoreFrom != null) h.initializeState(restoreFrom);
        h.open();
        return h;
    }

    /**
     * As the task does: the operators' pre-barrier hook (where the caches write behind), then the
     * snapshot.
     */
    public static OperatorSubtaskState checkpoint(
            KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h, long id) throws Exception {
        h.prepareSnapshotPreBarrier(id);
        return h.snapshot(id, id);
    }

    /** Keys with a value in any of the named states, summed, in the keyed backend as it is now. */
    public static long keysWith(
            KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h, String... states) {
        long n = 0;
        for (String state : states) {
            try (var keys =
                    h.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    /** Every key of the events, sorted. */
    public static <I> TreeSet<String> keysOf(List<I> events, KeySelector<I, String> key)
            throws Exception {
        TreeSet<String> keys = new TreeSet<>();
        for (I e : events) keys.add(key.getKey(e));
        return keys;
    }

    /**
     * Feeds events[from, to) to a harness, each followed by the watermark {@code lag} behind the
     * largest event time seen so far; returns that largest time.
     */
    public static <O> long feedWithLag(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, O> h,
            List<RumEvent> events,
            int from,
            int to,
            long maxSeen,
            long lag)
            throws Exception {
        for (RumEvent e : events.subList(from, to)) {
            h.processElement(e, e.eventTime);
            maxSeen = Math.max(maxSeen, e.eventTime);
            h.processWatermark(new Watermark(maxSeen - lag));
        }
        return maxSeen;
    }

    /**
     * The events in the order they arrive when each is delayed by up to {@code maxDelayMs} drawn
     * from {@code random} (in list order; ties keep list order).
     */
    public static List<RumEvent> deliveredOutOfOrder(
            List<RumEvent> events, Random random, int maxDelayMs) {
        List<long[]> order = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            order.add(new long[] {events.get(i).eventTime + random.nextInt(maxDelayMs), i});
        }
        order.sort(Comparator.comparingLong((long[] o) -> o[0]).thenComparingLong(o -> o[1]));
        List<RumEvent> delivered = new ArrayList<>();
        for (long[] o : order) delivered.add(events.get((int) o[1]));
        return delivered;
    }

    /** Every output record (not watermarks) as one line of (timestamp, value), in output order. */
    @SuppressWarnings("unchecked")
    public static <O> List<String> lines(
            KeyedOneInputStreamOperatorTestHarness<String, ?, O> h,
            BiFunction<Long, O, String> line) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(line.apply(r.getTimestamp(), (O) r.getValue()));
            }
        }
        return out;
    }

    /**
     * Advances the watermark to the end of time, then checks that no key is left in any of the
     * named states, no timer, and (when {@code cached} is given: the operator has a cache) no key
     * in the cache: a write-behind cache must not keep what the plain function would have cleared.
     */
    public static void expireAllAndCheckNothingIsLeft(
            KeyedOneInputStreamOperatorTestHarness<String, ?, ?> h,
            Variant v,
            LongSupplier cached,
            String... states)
            throws Exception {
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        for (String state : states) {
            assertThat(keysWith(h, state)).as("%s: %s left", v, state).isZero();
        }
        assertThat(h.numEventTimeTimers()).as("%s: timers left", v).isZero();
        if (cached != null) {
            assertThat(cached.getAsLong()).as("%s: keys left in the cache", v).isZero();
        }
    }
}
