package io.beaconflow.jobs.ingest;

import static io.beaconflow.jobs.ingest.DeduplicatorTest.event;
import static io.beaconflow.jobs.testing.Beacons.T0;
import static io.beaconflow.jobs.testing.WriteBehindVariants.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.WriteBehindSubject;
import io.beaconflow.jobs.testing.WriteBehindVariants;
import io.beaconflow.jobs.testing.WriteBehindVariants.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link DeduplicatorOperator}: the deduplicator with its sessions' ids on the heap ({@link
 * SeenIdsCache}) drops and passes exactly what the plain function does, in the same order, with a
 * cache of 1 session (every other evicted), 3, or all, on the heap backend and RocksDB; a snapshot
 * holds the plain function's ids, expiries and timer times and restores into it and back; nothing
 * is left in state, timers or cache once every id expired; and on RocksDB a session costs one state
 * read, then nothing until a snapshot.
 */
class DeduplicatorOperatorTest {
    private static final long T = T0.toEpochMilli();
    private static final Duration TTL = Duration.ofMinutes(5);
    private static final long LAG = 5_000;

    private static final String[] STATES = {"dedup-seen", "dedup-timer"};
    private static final Variant PLAIN_HEAP = Variant.plain(false);
    private static final List<Variant> VARIANTS = WriteBehindVariants.plainAndCached(1, 3, 10_000);

    /** The plain function or the cached operator, fed with the watermark {@code LAG} behind. */
    private static final WriteBehindSubject<RumEvent> SUBJECT =
            new WriteBehindSubject<>(
                    v ->
                            v.isPlain()
                                    ? new KeyedProcessOperator<>(new Deduplicator(TTL))
                                    : new DeduplicatorOperator(TTL, v.cache()),
                    Deduplicator.key(),
                    LAG,
                    // Every passed event: timestamp, session, id, in output order.
                    (t, e) -> t + " " + e.sessionId + " " + e.eventId,
                    op ->
                            op instanceof DeduplicatorOperator d && d.cache() != null
                                    ? d.cache()::size
                                    : null,
                    STATES);

    /**
     * 12 sessions over 40 minutes (longer than the TTL: ids expire while their sessions go on, and
     * timers re-arm), each event sent once, twice (a retry up to 20 s later) or again after the TTL
     * (a new event then); delivered up to 8 s out of order.
     */
    private static List<RumEvent> traffic() {
        Random random = new Random(5);
        List<RumEvent> events = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            long start = T + 45_000L * s;
            for (int k = 0; k < 25; k++) {
                long at = start + 90_000L * k + random.nextInt(30_000);
                String id = "s" + s + "-e" + k;
                events.add(event("shop", "s" + s, id, at));
                if (k % 4 == 1) events.add(event("shop", "s" + s, id, at + random.nextInt(20_000)));
                if (k % 7 == 3) {
                    events.add(event("shop", "s" + s, id, at + TTL.toMillis() + 120_000));
                }
            }
        }
        return WriteBehindVariants.deliveredOutOfOrder(events, random, 8_000);
    }

    private static long stateKeys(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h) {
        return SUBJECT.stateKeys(h);
    }

    /** Per session, as the backend holds it now: its timer time and its ids with expiries. */
    private static TreeMap<String, String> storedState(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h,
            Iterable<String> keys)
            throws Exception {
        var backend = h.getOperator().getKeyedStateBackend();
        MapState<String, Long> seen =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new MapStateDescriptor<>("dedup-seen", Types.STRING, Types.LONG));
        ValueState<Long> timer =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>("dedup-timer", Types.LONG));
        TreeMap<String, String> out = new TreeMap<>();
        for (String key : keys) {
            h.getOperator().setCurrentKey(key);
            TreeMap<String, Long> ids = new TreeMap<>();
            for (Map.Entry<String, Long> e : seen.entries()) ids.put(e.getKey(), e.getValue());
            Long at = timer.value();
            if (at == null && ids.isEmpty()) continue;
            out.put(key, "timer " + at + " ids " + ids);
        }
        return out;
    }

    @Test
    void withACacheOfOneSessionThreeOrAllTheSameEventsPassInTheSameOrder() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = SUBJECT.runWhole(PLAIN_HEAP, events);
        // Retries dropped, repeats after the TTL passed: neither all nor only the first copies.
        assertThat(expected).hasSizeLessThan(events.size());
        assertThat(expected).hasSizeGreaterThan(300);
        assertThat(expected).anyMatch(r -> r.endsWith(" s0-e3"));
        assertThat(expected.stream().filter(r -> r.endsWith(" s0-e3"))).hasSize(2);
        for (Variant v : VARIANTS) {
            assertThat(SUBJECT.runWhole(v, events)).as("%s", v).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aSnapshotHoldsThePlainFunctionsStateAndRestoresEitherWay() throws Exception {
        SUBJECT.snapshotsRestoreEitherWay(
                traffic(),
                Variant::plain,
                VARIANTS.stream().filter(v -> v.cache() > 0).toList(),
                DeduplicatorOperatorTest::storedState,
                6,
                lines -> lines);
    }

    @Test
    void onRocksDbASessionCostsOneStateReadAndNothingElseUntilASnapshot() throws Exception {
        Variant v = Variant.cached(10_000, true);
        try (var h = SUBJECT.open(v, null)) {
            for (int k = 0; k < 20; k++) {
                h.processElement(event("shop", "s1", "e" + k, T + 1000L * k), T + 1000L * k);
                if (k % 4 == 0) {
                    h.processElement(event("shop", "s1", "e" + k, T + 1000L * k), T + 1000L * k);
                }
            }
            SeenIdsCache cache = ((DeduplicatorOperator) h.getOperator()).cache();
            assertThat(h.extractOutputValues()).hasSize(20);
            // The plain function: 25 contains, 20 puts and 20 timer reads.
            assertThat(cache.loads()).isEqualTo(1);
            assertThat(cache.writes()).isZero();
            assertThat(stateKeys(h)).isZero();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            checkpoint(h, 1L);
            assertThat(cache.writes()).isEqualTo(1);
            assertThat(stateKeys(h)).isEqualTo(2);
            checkpoint(h, 2L);
            assertThat(cache.writes()).as("unchanged since the last snapshot").isEqualTo(1);

            // Every id expires: the session leaves the cache and the backend at once.
            h.processWatermark(new Watermark(T + 20_000 + TTL.toMillis() + 60_000));
            assertThat(stateKeys(h)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(cache.size()).isZero();
            assertThat(cache.loads()).isEqualTo(1);
        }
    }

    @Test
    void aCacheOfOneSessionWritesTheOthersBehindWhenTheyAreEvicted() throws Exception {
        Variant v = Variant.cached(1, true);
        try (var h = SUBJECT.open(v, null)) {
            h.processElement(event("shop", "s1", "e1", T), T);
            h.processElement(event("shop", "s2", "e2", T), T);
            SeenIdsCache cache = ((DeduplicatorOperator) h.getOperator()).cache();
            // s1 evicted by s2: written; s2 on the heap only.
            assertThat(cache.evictions()).isEqualTo(1);
            assertThat(cache.writes()).isEqualTo(1);
            assertThat(stateKeys(h)).isEqualTo(2);
            // s1 comes back: loaded whole (its retry is dropped), s2 evicted in turn.
            h.processElement(event("shop", "s1", "e1", T + 10), T + 10);
            assertThat(cache.loads()).isEqualTo(3);
            assertThat(stateKeys(h)).isEqualTo(4);
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.eventId)
                    .containsExactly("e1", "e2");
            SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
        }
    }
}
