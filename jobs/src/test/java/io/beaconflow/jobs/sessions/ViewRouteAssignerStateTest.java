package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.click;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link ViewRouteAssigner}'s state on both backends: on the heap backend and on RocksDB the same
 * events leave on the same routes with the same timestamps, across a snapshot and restore too, and
 * no view history, held bucket or timer is left once the sessions closed (a released bucket's
 * removal is all it takes on either backend).
 */
class ViewRouteAssignerStateTest {
    private static final Duration GAP = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long LAG = 5_000;

    private record Variant(String name, boolean rocksDb) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Variant HEAP = new Variant("heap", false);
    private static final Variant ROCKSDB = new Variant("RocksDB", true);

    private static KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> open(
            Variant v, OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new ViewRouteAssigner(GAP, LATENESS), SessionAssembler.key(), Types.STRING);
        if (v.rocksDb) h.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restoreFrom != null) h.initializeState(restoreFrom);
        h.open();
        return h;
    }

    /**
     * 30 single-page sessions 4 s apart: a document load, route changes after 2 and 6 s, and
     * fetches and clicks sent with the route current at sending (a later one), plus a second visit
     * of every fifth session 50 minutes later; delivered up to 8 s out of order behind a watermark
     * that trails by 5 s (so some events are late and placed at once).
     */
    static List<RumEvent> traffic() {
        List<RumEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String s = "s" + i;
            for (long visit : i % 5 == 0 ? new long[] {0, 3_000_000} : new long[] {0}) {
                long t0 = 4_000L * i + visit;
                events.add(pageView(s, T0.plusMillis(t0), "/app"));
                events.add(routeChange(s, t0 + 2_000, "/app/cart"));
                events.add(routeChange(s, t0 + 6_000, "/app/pay"));
                for (int k = 0; k < 8; k++) {
                    long at = t0 + 500 + 900L * k;
                    events.add(fetch(s, T0.plusMillis(at), 200, null, "/app/pay"));
                    if (k % 3 == 0) events.add(click(s, T0.plusMillis(at + 100), "#b", "/app/pay"));
                }
            }
        }
        Random random = new Random(11);
        List<long[]> order = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            order.add(new long[] {events.get(i).eventTime + random.nextInt(8_000), i});
        }
        order.sort(Comparator.comparingLong((long[] o) -> o[0]).thenComparingLong(o -> o[1]));
        List<RumEvent> delivered = new ArrayList<>();
        for (long[] o : order) delivered.add(events.get((int) o[1]));
        return delivered;
    }

    private static RumEvent routeChange(String session, long ms, String route) {
        RumEvent v = pageView(session, T0.plusMillis(ms), route);
        v.routeChange = true;
        v.ttfbMs = null;
        v.loadMs = null;
        v.routeChangeMs = 45.0;
        return v;
    }

    private static long feed(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h,
            List<RumEvent> events,
            int from,
            int to,
            long maxSeen)
            throws Exception {
        return SessionEvents.feedWithLag(h, events, from, to, maxSeen, LAG);
    }

    private static List<String> emitted(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                RumEvent e = (RumEvent) r.getValue();
                out.add(
                        e.sessionId
                                + " "
                                + r.getTimestamp()
                                + " "
                                + e.eventId
                                + " "
                                + e.type
                                + " "
                                + e.route);
            }
        }
        return out;
    }

    /**
     * Each session's events in the order they left. Across sessions the order of timers due at the
     * same time is the timer queue's (RocksDB's differs from the heap's, and a restored heap queue
     * from the original's); every consumer downstream is keyed or windowed, so it does not matter.
     */
    private static java.util.Map<String, List<String>> bySession(List<String> emitted) {
        java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String r : emitted) {
            out.computeIfAbsent(r.substring(0, r.indexOf(' ')), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    private static OperatorSubtaskState checkpoint(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h, long id)
            throws Exception {
        h.prepareSnapshotPreBarrier(id);
        return h.snapshot(id, id);
    }

    /** Sessions with a history plus sessions with held events, in the backend. */
    private static long stateKeys(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h) {
        long n = 0;
        for (String state : List.of("view-history", "view-held-events")) {
            try (var keys =
                    h.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    private static void closeAllAndCheckNothingIsLeft(
            KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> h, Variant v)
            throws Exception {
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(stateKeys(h)).as("%s: state left", v).isZero();
        assertThat(h.numEventTimeTimers()).as("%s: timers left", v).isZero();
    }

    private static List<String> runWhole(Variant v, List<RumEvent> events) throws Exception {
        try (var h = open(v, null)) {
            feed(h, events, 0, events.size(), Long.MIN_VALUE);
            closeAllAndCheckNothingIsLeft(h, v);
            return emitted(h);
        }
    }

    @Test
    void onHeapAndRocksDbEveryEventLeavesOnTheSameRouteAndNothingIsLeft() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = runWhole(HEAP, events);
        assertThat(expected).hasSize(events.size());
        // Rerouted events are in it: fetches sent from /app/pay made on /app or /app/cart.
        assertThat(expected).anyMatch(r -> r.endsWith("FETCH /app/cart"));
        List<String> got = runWhole(ROCKSDB, events);
        assertThat(got).hasSameSizeAs(expected);
        assertThat(bySession(got)).isEqualTo(bySession(expected));
    }

    @Test
    void heldEventsAndHistoriesSurviveASnapshotOnHeapAndRocksDb() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = runWhole(HEAP, events);
        int half = events.size() / 2;
        for (Variant v : List.of(HEAP, ROCKSDB)) {
            OperatorSubtaskState snapshot;
            List<String> all;
            long maxSeen;
            try (var h = open(v, null)) {
                maxSeen = feed(h, events, 0, half, Long.MIN_VALUE);
                assertThat(stateKeys(h)).as("%s: open sessions", v).isPositive();
                snapshot = checkpoint(h, 1L);
                all = emitted(h);
            }
            try (var h = open(v, snapshot)) {
                feed(h, events, half, events.size(), maxSeen);
                closeAllAndCheckNothingIsLeft(h, v);
                all.addAll(emitted(h));
            }
            assertThat(all).as("%s", v).hasSameSizeAs(expected);
            assertThat(bySession(all)).as("%s", v).isEqualTo(bySession(expected));
        }
    }
}
