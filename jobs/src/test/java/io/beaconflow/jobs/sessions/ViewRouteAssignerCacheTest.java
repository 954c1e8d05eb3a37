package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.ViewRouteAssignerStateTest.SUBJECT;
import static io.beaconflow.jobs.testing.WriteBehindVariants.checkpoint;
import static io.beaconflow.jobs.testing.WriteBehindVariants.keysWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.state.WriteBehindCache;
import io.beaconflow.jobs.testing.WriteBehindVariants;
import io.beaconflow.jobs.testing.WriteBehindVariants.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link ViewRouteAssigner} with its held events and view histories on the heap ({@code
 * sessions.state-cache} > 0): the same events, routes, timestamps and order as without the cache,
 * with a cache of 1 session (every other session evicted), 3, or all, on the heap backend and
 * RocksDB; a snapshot holds the uncached operator's held buckets and view histories byte for byte,
 * with the same timers, and restores into it and back; nothing is left in state, timers or cache
 * once the sessions closed; and on RocksDB a held event, and a session's history, cost no state
 * access until a snapshot.
 */
class ViewRouteAssignerCacheTest {
    private static final Duration GAP = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long LAG = 5_000;

    private static final List<Variant> CACHED = WriteBehindVariants.cached(1, 3, 10_000);

    /** The operator without the cache (cache 0), the one the cached variants must match. */
    private static Variant plain(boolean rocksDb) {
        return new Variant("no cache, " + (rocksDb ? "RocksDB" : "heap"), 0, rocksDb);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> open(
            Variant v, OperatorSubtaskState restoreFrom) throws Exception {
        return SUBJECT.open(v, restoreFrom);
    }

    private static ViewRouteAssigner op(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h) {
        return (ViewRouteAssigner) h.getOperator();
    }

    /**
     * Every held bucket and view history in the backend now: "key release" → its list, "key
     * history" → the history, serialized as the backend does, in hex.
     */
    private static TreeMap<String, String> storedState(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h,
            Iterable<String> keys)
            throws Exception {
        var op = h.getOperator();
        var descriptor = ViewRouteAssigner.heldDescriptor();
        MapState<Long, List<RumEvent>> held =
                op.getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                descriptor);
        // The operator's value type, serialized as the backend does.
        TypeSerializer<List<RumEvent>> serializer =
                new ListTypeInfo<>(TypeInformation.of(RumEvent.class))
                        .createSerializer(new SerializerConfigImpl());
        ValueState<ViewHistory> history =
                op.getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                ViewRouteAssigner.historyDescriptor());
        TypeSerializer<ViewHistory> historySerializer =
                TypeInformation.of(ViewHistory.class).createSerializer(new SerializerConfigImpl());
        TreeMap<String, String> out = new TreeMap<>();
        DataOutputSerializer bytes = new DataOutputSerializer(1024);
        for (String key : keys) {
            op.setCurrentKey(key);
            ViewHistory stored = history.value();
            if (stored != null) {
                bytes.clear();
                historySerializer.serialize(stored, bytes);
                out.put(
                        key.replace(SessionAssembler.KEY_SEPARATOR, '/') + " history",
                        HexFormat.of().formatHex(bytes.getCopyOfBuffer()));
            }
            for (Map.Entry<Long, List<RumEvent>> e : held.entries()) {
                bytes.clear();
                serializer.serialize(e.getValue(), bytes);
                out.put(
                        key.replace(SessionAssembler.KEY_SEPARATOR, '/') + " " + e.getKey(),
                        HexFormat.of().formatHex(bytes.getCopyOfBuffer()));
            }
        }
        return out;
    }

    @Test
    void withACacheOfOneSessionThreeOrAllTheRecordsAreTheUncachedOperatorsInTheSameOrder()
            throws Exception {
        List<RumEvent> events = ViewRouteAssignerStateTest.traffic();
        Map<Boolean, List<String>> expected = new HashMap<>();
        for (boolean rocksDb : new boolean[] {false, true}) {
            expected.put(rocksDb, SUBJECT.runWhole(plain(rocksDb), events));
        }
        assertThat(expected.get(false)).hasSize(events.size());
        assertThat(expected.get(false)).anyMatch(r -> r.endsWith("FETCH /app/cart"));
        for (Variant v : CACHED) {
            // Same backend, same timer queue: the very same sequence.
            assertThat(SUBJECT.runWhole(v, events))
                    .as("%s", v)
                    .isEqualTo(expected.get(v.rocksDb()));
        }
    }

    @Test
    void aSnapshotHoldsTheUncachedOperatorsBucketsByteForByteAndRestoresEitherWay()
            throws Exception {
        // Events are held at the half (at least 4 buckets): the comparison is not of two empty
        // maps. Across sessions, timers due at the same time may fire in another order after a
        // restore: outputs compare per session.
        SUBJECT.snapshotsRestoreEitherWay(
                ViewRouteAssignerStateTest.traffic(),
                ViewRouteAssignerCacheTest::plain,
                CACHED,
                ViewRouteAssignerCacheTest::storedState,
                4,
                ViewRouteAssignerStateTest::bySession);
    }

    @Test
    void onRocksDbAHeldEventCostsNoStateAccessUntilASnapshot() throws Exception {
        Variant v = Variant.cached(10_000, true);
        try (var h = open(v, null)) {
            h.processWatermark(new Watermark(T0.toEpochMilli() - 1));
            h.processElement(pageView("s1", T0, "/a"), T0.toEpochMilli());
            for (int k = 1; k <= 5; k++) {
                RumEvent f = fetch("s1", T0.plusMillis(100L * k), 200, null, "/b");
                h.processElement(f, f.eventTime);
            }
            // Six buckets (the view and the five fetches, each held to its own millisecond), on the
            // heap only.
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isZero();
            assertThat(op(h).heldBackendWrites()).isZero();
            assertThat(op(h).cachedSessions()).isEqualTo(1);
            // The history too: one read (the new session's absent value), no write, nothing
            // stored, for six events that each read it and wrote it without the cache.
            WriteBehindCache<String, ViewHistory> histories = op(h).historyCache();
            assertThat(histories.backendReads()).isEqualTo(1);
            assertThat(histories.backendWrites()).isZero();
            assertThat(keysWith(h, ViewRouteAssigner.HISTORY_STATE)).isZero();
            assertThat(op(h).cachedHistories()).isEqualTo(1);

            checkpoint(h, 1L);
            assertThat(op(h).heldBackendWrites()).isEqualTo(6);
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isEqualTo(1);
            assertThat(histories.backendWrites()).isEqualTo(1);
            assertThat(keysWith(h, ViewRouteAssigner.HISTORY_STATE)).isEqualTo(1);
            // Unchanged since: the next snapshot writes nothing.
            checkpoint(h, 2L);
            assertThat(op(h).heldBackendWrites()).isEqualTo(6);
            assertThat(histories.backendWrites()).isEqualTo(1);
            // A later event changes it in place: written at the next snapshot, never read again.
            RumEvent later = fetch("s1", T0.plusMillis(700), 200, null, "/b");
            h.processElement(later, later.eventTime);
            checkpoint(h, 3L);
            assertThat(histories.backendWrites()).isEqualTo(2);
            assertThat(histories.backendReads()).isEqualTo(1);

            h.processWatermark(new Watermark(T0.toEpochMilli() + 999));
            assertThat(h.extractOutputValues()).hasSize(7);
            // Released: gone from the heap and the backend.
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isZero();
            assertThat(op(h).cachedSessions()).isZero();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(keysWith(h, ViewRouteAssigner.HISTORY_STATE)).isZero();
            assertThat(op(h).cachedHistories()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aSessionWithoutViewsIsReadOnceAndLeavesNoHistoryBehind() throws Exception {
        // Its events find no history: the cache remembers the absence (one backend read for the
        // session, not one per event), and nothing is written, stored or left.
        List<RumEvent> events = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            events.add(fetch("s9", T0.plusMillis(300L * k), 200, null, "/b"));
        }
        for (boolean rocksDb : new boolean[] {false, true}) {
            List<String> expected = SUBJECT.runWhole(plain(rocksDb), events);
            Variant v = Variant.cached(10_000, rocksDb);
            try (var h = open(v, null)) {
                SUBJECT.feed(h, events, 0, events.size(), Long.MIN_VALUE);
                assertThat(op(h).historyCache().backendReads()).as("%s", v).isEqualTo(1);
                checkpoint(h, 1L);
                assertThat(op(h).historyCache().backendWrites()).as("%s", v).isZero();
                assertThat(keysWith(h, ViewRouteAssigner.HISTORY_STATE)).as("%s", v).isZero();
                SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
                assertThat(SUBJECT.output(h)).as("%s", v).isEqualTo(expected);
            }
        }
    }

    @Test
    void aCacheOfOneSessionWritesTheOthersBehindWhenTheyAreEvicted() throws Exception {
        Variant v = Variant.cached(1, true);
        List<RumEvent> events = ViewRouteAssignerStateTest.traffic();
        try (var h = open(v, null)) {
            SUBJECT.feed(h, events, 0, events.size() / 2, Long.MIN_VALUE);
            assertThat(op(h).cachedSessions()).isLessThanOrEqualTo(1);
            // Evicted sessions' buckets and histories were written without any snapshot.
            assertThat(op(h).heldBackendWrites()).isPositive();
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isPositive();
            assertThat(op(h).cachedHistories()).isLessThanOrEqualTo(1);
            assertThat(op(h).historyCache().evictions()).isPositive();
            assertThat(op(h).historyCache().backendWrites()).isPositive();
            assertThat(keysWith(h, ViewRouteAssigner.HISTORY_STATE)).isPositive();
            SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
        }
    }
}
