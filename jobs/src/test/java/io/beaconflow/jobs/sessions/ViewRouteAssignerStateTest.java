package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.click;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
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
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
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

    /** Both backends, with the operator's default cache as the job runs it. */
    private static final Variant HEAP =
            new Variant("heap", SessionConfig.DEFAULT_STATE_CACHE, false);

    private static final Variant ROCKSDB =
            new Variant("RocksDB", SessionConfig.DEFAULT_STATE_CACHE, true);

    /** Sessions with a history, sessions with held events. */
    static final String[] STATES = {"view-history", ViewRouteAssigner.HELD_STATE};

    /**
     * The operator, with or without its cache, fed with the watermark {@code LAG} behind; every
     * output record as session, timestamp, event id, type and route, in emission order.
     */
    static final WriteBehindSubject<RumEvent> SUBJECT =
            new WriteBehindSubject<>(
                    v -> new ViewRouteAssigner(GAP, LATENESS, v.cache()),
                    SessionAssembler.key(),
                    LAG,
                    (t, e) ->
                            e.sessionId + " " + t + " " + e.eventId + " " + e.type + " " + e.route,
                    op -> {
                        ViewRouteAssigner a = (ViewRouteAssigner) op;
                        // Held sessions and histories: neither may be left on the heap.
                        return () -> a.cachedSessions() + a.cachedHistories();
                    },
                    STATES);

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
        return WriteBehindVariants.deliveredOutOfOrder(events, new Random(11), 8_000);
    }

    private static RumEvent routeChange(String session, long ms, String route) {
        RumEvent v = pageView(session, T0.plusMillis(ms), route);
        v.routeChange = true;
        v.ttfbMs = null;
        v.loadMs = null;
        v.routeChangeMs = 45.0;
        return v;
    }

    /**
     * Each session's events in the order they left. Across sessions the order of timers due at the
     * same time is the timer queue's (RocksDB's differs from the heap's, and a restored heap queue
     * from the original's); every consumer downstream is keyed or windowed, so it does not matter.
     */
    static Map<String, List<String>> bySession(List<String> emitted) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String r : emitted) {
            out.computeIfAbsent(r.substring(0, r.indexOf(' ')), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    @Test
    void onHeapAndRocksDbEveryEventLeavesOnTheSameRouteAndNothingIsLeft() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = SUBJECT.runWhole(HEAP, events);
        assertThat(expected).hasSize(events.size());
        // Rerouted events are in it: fetches sent from /app/pay made on /app or /app/cart.
        assertThat(expected).anyMatch(r -> r.endsWith("FETCH /app/cart"));
        List<String> got = SUBJECT.runWhole(ROCKSDB, events);
        assertThat(got).hasSameSizeAs(expected);
        assertThat(bySession(got)).isEqualTo(bySession(expected));
    }

    @Test
    void heldEventsAndHistoriesSurviveASnapshotOnHeapAndRocksDb() throws Exception {
        List<RumEvent> events = traffic();
        List<String> expected = SUBJECT.runWhole(HEAP, events);
        int half = events.size() / 2;
        for (Variant v : List.of(HEAP, ROCKSDB)) {
            OperatorSubtaskState snapshot;
            List<String> all;
            long maxSeen;
            try (var h = SUBJECT.open(v, null)) {
                maxSeen = SUBJECT.feed(h, events, 0, half, Long.MIN_VALUE);
                snapshot = checkpoint(h, 1L);
                // Counted after the checkpoint: the cache writes the sessions behind then.
                assertThat(SUBJECT.stateKeys(h)).as("%s: open sessions", v).isPositive();
                all = SUBJECT.output(h);
            }
            try (var h = SUBJECT.open(v, snapshot)) {
                SUBJECT.feed(h, events, half, events.size(), maxSeen);
                SUBJECT.expireAllAndCheckNothingIsLeft(h, v);
                all.addAll(SUBJECT.output(h));
            }
            assertThat(all).as("%s", v).hasSameSizeAs(expected);
            assertThat(bySession(all)).as("%s", v).isEqualTo(bySession(expected));
        }
    }
}
