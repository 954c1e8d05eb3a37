package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.SessionEvents.typicalSession;
import static io.beaconflow.jobs.testing.WriteBehindVariants.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.state.WriteBehindCache;
import io.beaconflow.jobs.testing.WriteBehindSubject;
import io.beaconflow.jobs.testing.WriteBehindVariants;
import io.beaconflow.jobs.testing.WriteBehindVariants.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link SessionAssemblerOperator}: the session assembler with its state behind a {@link
 * WriteBehindCache} gives exactly the plain function's records, timestamps, state and snapshots,
 * with a cache too small for the open sessions (evictions) or large enough for all, on the heap
 * backend and on RocksDB; and on RocksDB an active session costs one state read and no write until
 * a snapshot.
 */
class SessionAssemblerOperatorTest {
    private static final long T = T0.toEpochMilli();
    private static final long GAP = Duration.ofMinutes(30).toMillis();
    private static final long LAG = 5_000;

    private static final String STATE = SessionAssembler.stateDescriptor().getName();
    private static final Variant PLAIN_HEAP = Variant.plain(false);

    /** Every size on both backends but a cache of 1 on RocksDB. */
    private static final List<Variant> VARIANTS =
            WriteBehindVariants.plainAndCached(1, 3, 10_000).stream()
                    .filter(v -> !v.equals(Variant.cached(1, true)))
                    .toList();

    private static SessionConfig config(int cache) {
        SessionConfig c = new SessionConfig();
        // Updates on: their timers fire through the cache too.
        c.updateInterval = Duration.ofMinutes(1);
        if (cache >= 0) c.stateCache = cache;
        return c;
    }

    /** The plain function or the cached operator, fed with the watermark {@code LAG} behind. */
    private static final WriteBehindSubject<SessionRecord> SUBJECT =
            new WriteBehindSubject<>(
                    v ->
                            v.isPlain()
                                    ? new KeyedProcessOperator<>(
                                            new SessionAssembler(config(v.cache())))
                                    : new SessionAssemblerOperator(config(v.cache())),
                    SessionAssembler.key(),
                    LAG,
                    // Each output record as its timestamp and every field, in emission order.
                    (t, r) -> t + " " + describe(r),
                    op ->
                            op instanceof SessionAssemblerOperator o && o.cache() != null
                                    ? o.cache()::size
                                    : null,
                    STATE);

    /**
     * 40 overlapping typical sessions 5 s apart, a second visit of every third one 40 minutes
     * later, and a 12-minute session with a page view every 50 s (update timers); delivered up to 8
     * s out of order behind a watermark that trails by 5 s, so some events are late.
     */
    private static List<RumEvent> traffic() {
        List<RumEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.addAll(typicalSession("s" + i, T0.plusSeconds(5L * i)));
            if (i % 3 == 0) {
                events.addAll(typicalSession("s" + i, T0.plusSeconds(2400 + 5L * i)));
            }
        }
        for (int k = 0; k < 15; k++) {
            events.add(pageView("long", T0.plusSeconds(50L * k), "/p" + (k % 4)));
        }
        return WriteBehindVariants.deliveredOutOfOrder(events, new Random(7), 8_000);
    }

    private static String describe(SessionRecord r) {
        StringBuilder b = new StringBuilder();
        for (java.lang.reflect.Field f : SessionRecord.class.getFields()) {
            try {
                b.append(f.getName()).append('=').append(f.get(r)).append(';');
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return b.toString();
    }

    /** Keys with a session in the keyed state backend (heap or RocksDB). */
    private static long keyedEntries(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> h, Variant v) {
        return SUBJECT.stateKeys(h);
    }

    /** The serialized session state of every key, as the backend holds it now. */
    private static TreeMap<String, String> storedState(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, SessionRecord> h,
            Iterable<String> keys)
            throws Exception {
        var op = h.getOperator();
        ValueState<SessionState> state =
                op.getKeyedStateBackend()
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                SessionAssembler.stateDescriptor());
        TreeMap<String, String> out = new TreeMap<>();
        DataOutputSerializer bytes = new DataOutputSerializer(512);
        for (String key : keys) {
            op.setCurrentKey(key);
            SessionState s = state.value();
            if (s == null) continue;
            bytes.clear();
            SessionStateSerializer.INSTANCE.serialize(s, bytes);
            out.put(key, HexFormat.of().formatHex(bytes.getCopyOfBuffer()));
        }
        return out;
    }

    private static List<String> runWhole(Variant v, List<RumEvent> events) throws Exception {
        try (var h = SUBJECT.open(v, null)) {
            long maxSeen = SUBJECT.feed(h, events, 0, events.size(), Long.MIN_VALUE);
            h.processWatermark(new Watermark(maxSeen + GAP));
            SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
            return SUBJECT.output(h);
        }
    }

    @Test
    void withATinyCacheOrALargeOneOnHeapOrRocksDbTheRecordsAreThePlainFunctions() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = runWhole(PLAIN_HEAP, events);
        assertThat(expected).hasSizeGreaterThan(60);
        assertThat(expected).anyMatch(r -> r.contains("endReason=open;"));
        assertThat(expected).anyMatch(r -> r.contains("lateEvents=1;"));
        for (Variant v : VARIANTS) {
            assertThat(runWhole(v, events)).as("%s", v).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aCacheSmallerThanTheOpenSessionsEvictsAndWritesThemBehind() throws Exception {
        List<RumEvent> events = traffic();
        Variant tiny = Variant.cached(3, true);
        try (var h = SUBJECT.open(tiny, null)) {
            SUBJECT.feed(h, events, 0, events.size() / 2, Long.MIN_VALUE);
            WriteBehindCache<String, SessionState> cache =
                    ((SessionAssemblerOperator) h.getOperator()).cache();
            assertThat(cache.size()).isEqualTo(3);
            assertThat(cache.evictions()).isGreaterThan(10);
            assertThat(cache.backendWrites()).isGreaterThan(0);
            // Evicted sessions are in RocksDB; the three cached ones only once flushed.
            long before = keyedEntries(h, tiny);
            checkpoint(h, 1L);
            assertThat(keyedEntries(h, tiny)).isGreaterThanOrEqualTo(before);
        }
    }

    @Test
    void anActiveSessionCostsOneStateReadAndNoWriteUntilASnapshotOnRocksDb() throws Exception {
        Variant v = Variant.cached(10_000, true);
        try (var h = SUBJECT.open(v, null)) {
            List<RumEvent> session = typicalSession("s1", T0);
            SUBJECT.feed(h, session, 0, session.size(), Long.MIN_VALUE);
            WriteBehindCache<String, SessionState> cache =
                    ((SessionAssemblerOperator) h.getOperator()).cache();
            // The plain function reads and writes the value for each of the 20 events.
            assertThat(cache.backendReads()).isEqualTo(1);
            assertThat(cache.backendWrites()).isZero();
            assertThat(keyedEntries(h, v)).isZero();

            checkpoint(h, 1L);
            assertThat(cache.backendWrites()).isEqualTo(1);
            assertThat(keyedEntries(h, v)).isEqualTo(1);
            // Unchanged since: the next snapshot writes nothing.
            checkpoint(h, 2L);
            assertThat(cache.backendWrites()).isEqualTo(1);

            h.processWatermark(new Watermark(T + 22_000 + GAP));
            assertThat(h.extractOutputValues()).extracting(r -> r.closed).contains(true);
            assertThat(keyedEntries(h, v)).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(cache.size()).isZero();
        }
    }

    @Test
    void aSnapshotTakenWithTheCacheHoldsThePlainFunctionsStateAndRestoresEitherWay()
            throws Exception {
        SUBJECT.snapshotsRestoreEitherWay(
                traffic(),
                Variant::plain,
                VARIANTS.stream().filter(v -> v.cache() > 0).toList(),
                SessionAssemblerOperatorTest::storedState,
                11,
                lines -> lines);
    }
}
