package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.ViewRouteAssignerStateTest.SUBJECT;
import static io.beaconflow.jobs.testing.WriteBehindVariants.checkpoint;
import static io.beaconflow.jobs.testing.WriteBehindVariants.keysWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.WriteBehindVariants;
import io.beaconflow.jobs.testing.WriteBehindVariants.Variant;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapState;
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
 * {@link ViewRouteAssigner} with its held events on the heap ({@code sessions.state-cache} > 0):
 * the same events, routes, timestamps and order as without the cache, with a cache of 1 session
 * (every other session evicted), 3, or all, on the heap backend and RocksDB; a snapshot holds the
 * uncached operator's held buckets byte for byte, with the same timers, and restores into it and
 * back; nothing is left in state, timers or cache once the sessions closed; and on RocksDB a held
 * event costs no state access until a snapshot.
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

    /** Every held bucket in the backend now: "key release" → its list, serialized, in hex. */
    private static TreeMap<String, String> storedHeld(
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
        TreeMap<String, String> out = new TreeMap<>();
        DataOutputSerializer bytes = new DataOutputSerializer(1024);
        for (String key : keys) {
            op.setCurrentKey(key);
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
                ViewRouteAssignerCacheTest::storedHeld,
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

            checkpoint(h, 1L);
            assertThat(op(h).heldBackendWrites()).isEqualTo(6);
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isEqualTo(1);
            // Unchanged since: the next snapshot writes nothing.
            checkpoint(h, 2L);
            assertThat(op(h).heldBackendWrites()).isEqualTo(6);

            h.processWatermark(new Watermark(T0.toEpochMilli() + 999));
            assertThat(h.extractOutputValues()).hasSize(6);
            // Released: gone from the heap and the backend.
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isZero();
            assertThat(op(h).cachedSessions()).isZero();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(keysWith(h, "view-history")).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aCacheOfOneSessionWritesTheOthersBehindWhenTheyAreEvicted() throws Exception {
        Variant v = Variant.cached(1, true);
        List<RumEvent> events = ViewRouteAssignerStateTest.traffic();
        try (var h = open(v, null)) {
            SUBJECT.feed(h, events, 0, events.size() / 2, Long.MIN_VALUE);
            assertThat(op(h).cachedSessions()).isLessThanOrEqualTo(1);
            // Evicted sessions' buckets were written without any snapshot.
            assertThat(op(h).heldBackendWrites()).isPositive();
            assertThat(keysWith(h, ViewRouteAssigner.HELD_STATE)).isPositive();
            SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
        }
    }
}
