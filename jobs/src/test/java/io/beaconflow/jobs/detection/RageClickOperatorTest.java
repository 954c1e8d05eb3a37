package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.state.KeyedStates;
import io.beaconflow.jobs.testing.Harnesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link RageClickOperator}'s caches change nothing but the work: every variant (cache sizes that
 * evict all the time and that never do, timers on the heap or in RocksDB, and the heap backend,
 * where no cache is made) emits exactly the plain operator's rage clicks with their timestamps;
 * after every checkpoint RocksDB holds exactly what the plain operator's RocksDB holds; nothing is
 * left at the end; and a checkpoint of either restores into the other.
 */
class RageClickOperatorTest {
    private static final long T0 = Rows.T0;

    /** {@code cache} < 0: the plain operator. */
    record Variant(String name, boolean rocksDb, boolean heapTimers, int cache) {}

    private static final Variant PLAIN_HEAP = new Variant("plain, heap", false, true, -1);
    private static final Variant PLAIN_ROCKSDB = new Variant("plain, RocksDB", true, true, -1);

    private static final List<Variant> CACHED =
            List.of(
                    new Variant("cache 10000, RocksDB", true, true, 10_000),
                    new Variant("cache 2, RocksDB", true, true, 2),
                    new Variant("cache 5, RocksDB timers", true, false, 5),
                    new Variant("cache 0, RocksDB", true, true, 0),
                    new Variant("cache 10000, heap (none made)", false, true, 10_000));

    private static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> open(
            Variant v, OperatorSubtaskState restoreFrom) throws Exception {
        RageClickDetector f = new RageClickDetector(3, Duration.ofSeconds(1));
        OneInputStreamOperator<RumEvent, RageClick> op =
                v.cache() < 0 ? new KeyedProcessOperator<>(f) : new RageClickOperator(f, v.cache());
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        op, RageClickDetector.key(), Types.STRING);
        if (v.rocksDb()) h.setStateBackend(Harnesses.rocksDb(v.heapTimers()));
        if (restoreFrom != null) h.initializeState(restoreFrom);
        h.open();
        return h;
    }

    /**
     * Two minutes of clicks of 6 sessions on 3 targets each: bursts, lone clicks, clicks on the
     * same millisecond, in beacons of up to 400 ms sent out of order, some a second late.
     */
    private static List<List<RumEvent>> traffic() {
        Random random = new Random(11);
        List<List<RumEvent>> beats = new ArrayList<>();
        for (int beat = 0; beat < 600; beat++) {
            List<RumEvent> batch = new ArrayList<>();
            long start = T0 + beat * 200L;
            for (int s = 0; s < 6; s++) {
                if (random.nextDouble() < 0.6) continue;
                String target = "button#" + random.nextInt(3);
                int clicks = random.nextDouble() < 0.3 ? 2 + random.nextInt(4) : 1;
                long late = random.nextDouble() < 0.1 ? 1_000 : 0;
                for (int c = 0; c < clicks; c++) {
                    long t = start - late + random.nextInt(400);
                    batch.add(RageClickDetectorTest.click("s" + s, target, t));
                }
            }
            Collections.shuffle(batch, random);
            beats.add(batch);
        }
        return beats;
    }

    /** Feeds beats [from, to): watermark 1.5 s behind each beat, a checkpoint every 15 beats. */
    private static void run(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h,
            List<List<RumEvent>> traffic,
            int from,
            int to,
            List<Map<String, String>> storedAtCheckpoints)
            throws Exception {
        for (int beat = from; beat < to; beat++) {
            for (RumEvent e : traffic.get(beat)) h.processElement(e, e.eventTime);
            h.processWatermark(new Watermark(T0 + beat * 200L - 1_500));
            if (beat % 15 == 14) {
                checkpoint(h, beat);
                if (storedAtCheckpoints != null) storedAtCheckpoints.add(stored(h, traffic));
            }
        }
    }

    private static OperatorSubtaskState checkpoint(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h, long id)
            throws Exception {
        h.prepareSnapshotPreBarrier(id); // as the task does: the caches write behind here
        return h.snapshot(id, id);
    }

    private static List<String> emitted(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                RageClick c = (RageClick) r.getValue();
                out.add(
                        r.getTimestamp()
                                + " "
                                + c.sessionId
                                + " "
                                + c.target
                                + " "
                                + c.firstClick
                                + ".."
                                + c.lastClick
                                + " x"
                                + c.clicks);
            }
        }
        return out;
    }

    /** What the keyed state backend itself holds for every key of the traffic (not the caches). */
    private static Map<String, String> stored(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h,
            List<List<RumEvent>> traffic)
            throws Exception {
        var backend = h.getOperator().getKeyedStateBackend();
        MapState<Long, RageClickDetector.Pending> pending =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        KeyedStates.mapDescriptor(
                                "rage-pending", Long.class, RageClickDetector.Pending.class));
        ValueState<RageClick> burst =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        KeyedStates.valueDescriptor("rage-burst", RageClick.class));
        ValueState<Long> cleanup =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        KeyedStates.valueDescriptor("rage-cleanup", Long.class));
        TreeSet<String> keys = new TreeSet<>();
        for (List<RumEvent> beat : traffic) {
            for (RumEvent e : beat) keys.add(RageClickDetector.key().getKey(e));
        }
        Object current = h.getOperator().getCurrentKey();
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            h.getOperator().setCurrentKey(key);
            StringBuilder b = new StringBuilder();
            TreeMap<Long, String> p = new TreeMap<>();
            for (var e : pending.entries()) {
                p.put(e.getKey(), e.getValue().clicks + "@" + e.getValue().route);
            }
            if (!p.isEmpty()) b.append("pending ").append(p);
            RageClick r = burst.value();
            if (r != null) b.append(" burst ").append(r.firstClick).append('x').append(r.clicks);
            if (cleanup.value() != null) b.append(" cleanup ").append(cleanup.value());
            if (b.length() > 0) out.put(key, b.toString());
        }
        if (current != null) h.getOperator().setCurrentKey(current);
        return out;
    }

    private static int backendEntries(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RageClick> h) {
        return h.getOperator().getKeyedStateBackend() instanceof RocksDBKeyedStateBackend<?> r
                ? r.numKeyValueStateEntries()
                : h.numKeyedStateEntries();
    }

    @Test
    void everyVariantEmitsAndStoresExactlyWhatThePlainOperatorDoes() throws Exception {
        List<List<RumEvent>> traffic = traffic();
        var reference = open(PLAIN_HEAP, null);
        run(reference, traffic, 0, traffic.size(), null);
        reference.processWatermark(new Watermark(Long.MAX_VALUE));
        List<String> expected = emitted(reference);
        assertThat(expected).hasSizeGreaterThan(20);
        reference.close();

        var plainRocksDb = open(PLAIN_ROCKSDB, null);
        List<Map<String, String>> expectedStored = new ArrayList<>();
        run(plainRocksDb, traffic, 0, traffic.size(), expectedStored);
        assertThat(expectedStored).anyMatch(m -> !m.isEmpty());
        plainRocksDb.close();

        for (Variant v : CACHED) {
            var h = open(v, null);
            try {
                List<Map<String, String>> storedAt = new ArrayList<>();
                run(h, traffic, 0, traffic.size(), v.rocksDb() ? storedAt : null);
                if (v.rocksDb()) assertThat(storedAt).as(v.name()).isEqualTo(expectedStored);
                var op = h.getOperator();
                boolean cached = v.rocksDb() && v.cache() > 0;
                assertThat(((RageClickOperator) op).caches() != null)
                        .as(v.name())
                        .isEqualTo(cached);
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(emitted(h)).as(v.name()).isEqualTo(expected);
                checkpoint(h, 10_000);
                assertThat(backendEntries(h)).as(v.name()).isZero();
                assertThat(h.numEventTimeTimers()).as(v.name()).isZero();
            } finally {
                h.close();
            }
        }
    }

    @Test
    void aCheckpointOfTheCachedOperatorRestoresIntoThePlainOneAndBack() throws Exception {
        List<List<RumEvent>> traffic = traffic();
        var reference = open(PLAIN_ROCKSDB, null);
        run(reference, traffic, 0, traffic.size(), null);
        reference.processWatermark(new Watermark(Long.MAX_VALUE));
        List<String> expected = emitted(reference);
        reference.close();

        Variant cached = CACHED.get(0);
        for (Variant[] pair : new Variant[][] {{cached, PLAIN_ROCKSDB}, {PLAIN_ROCKSDB, cached}}) {
            var first = open(pair[0], null);
            run(first, traffic, 0, 307, null);
            OperatorSubtaskState snapshot = checkpoint(first, 307);
            List<String> got = new ArrayList<>(emitted(first));
            first.close();
            var second = open(pair[1], snapshot);
            try {
                run(second, traffic, 307, traffic.size(), null);
                second.processWatermark(new Watermark(Long.MAX_VALUE));
                got.addAll(emitted(second));
                assertThat(got).as(pair[0].name() + " → " + pair[1].name()).isEqualTo(expected);
            } finally {
                second.close();
            }
        }
    }
}
