package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.SessionEvents.T0;
import static io.beaconflow.jobs.sessions.SessionEvents.fetch;
import static io.beaconflow.jobs.sessions.SessionEvents.jsError;
import static io.beaconflow.jobs.sessions.SessionEvents.pageView;
import static io.beaconflow.jobs.sessions.SessionEvents.vital;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ViewRouteAssigner} driven through the operator harness with explicit watermarks: a single
 * page app's batched events go back to the route of the last view at or before them (in order and
 * out of order), multi-page sessions keep their routes, nothing is emitted before the watermark
 * reaches it, and state and timers are back to zero once the session closed.
 */
class ViewRouteAssignerTest {
    private static final Duration GAP = Duration.ofMinutes(30);
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final long T = T0.toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, RumEvent, RumEvent> harness;
    private ViewRouteAssigner assigner;

    @BeforeEach
    void setUp() throws Exception {
        assigner = new ViewRouteAssigner(GAP, LATENESS);
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        assigner, SessionAssembler.key(), Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static Instant at(long ms) {
        return Instant.ofEpochMilli(T + ms);
    }

    private static RumEvent routeChange(String session, long ms, String route) {
        RumEvent v = pageView(session, at(ms), route);
        v.routeChange = true;
        v.ttfbMs = null;
        v.loadMs = null;
        v.routeChangeMs = 45.0;
        return v;
    }

    private void send(RumEvent e) throws Exception {
        harness.processElement(e, e.eventTime);
    }

    /** The watermark {@code ms} after T0, as {@link #at} places events. */
    private void watermark(long ms) throws Exception {
        harness.processWatermark(new Watermark(T + ms));
    }

    /**
     * Keyed state entries as a checkpoint would store them: the operator writes its cached sessions
     * behind before the barrier, so the backend alone is counted after that hook.
     */
    private int storedAtASnapshot(long checkpointId) throws Exception {
        harness.prepareSnapshotPreBarrier(checkpointId);
        return harness.numKeyedStateEntries();
    }

    /** An emitted event as "type route @ms", its time in ms after T0. */
    private static String line(RumEvent e) {
        return e.type.wireName() + " " + e.route + " @" + (e.eventTime - T);
    }

    /** Emitted records as {@link #line}s, with the record timestamp checked against event time. */
    private List<String> emitted() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                RumEvent e = (RumEvent) r.getValue();
                assertThat(r.getTimestamp()).as("record timestamp").isEqualTo(e.eventTime);
                out.add(line(e));
            }
        }
        return out;
    }

    @Test
    void fetchesSentLaterFromAnotherRouteGoBackToTheRouteTheyWereMadeOn() throws Exception {
        // The captured Faro visit's shape: load /spa, fetch, route changes to a product and the
        // checkout with a fetch each, then home; all fetches arrive in one batch sent from /spa.
        send(pageView("s1", at(0), "/spa"));
        send(routeChange("s1", 1_400, "/spa/product/:id"));
        send(routeChange("s1", 1_930, "/spa/checkout"));
        send(routeChange("s1", 2_375, "/spa"));
        send(fetch("s1", at(835), 200, null, "/spa"));
        send(fetch("s1", at(1_404), 200, null, "/spa"));
        send(fetch("s1", at(1_942), 200, null, "/spa"));
        send(jsError("s1", at(2_000), "/spa"));
        assertThat(emitted()).as("everything waits for the watermark").isEmpty();
        assertThat(harness.numEventTimeTimers()).as("held events wait on timers").isPositive();

        watermark(10_000);
        assertThat(emitted())
                .as("in event-time order, views included")
                .containsExactly(
                        "page_view /spa @0",
                        "fetch /spa @835",
                        "page_view /spa/product/:id @1400",
                        "fetch /spa/product/:id @1404",
                        "page_view /spa/checkout @1930",
                        "fetch /spa/checkout @1942",
                        "error /spa/checkout @2000",
                        "page_view /spa @2375");
    }

    @Test
    void aViewThatArrivesAfterTheEventStillPlacesItWithinTheWatermarksDelay() throws Exception {
        send(pageView("s1", at(0), "/#/dashboard"));
        send(routeChange("s1", 5_000, "/#/orders/:id"));
        // Sent from the settings route before its route change arrived.
        send(fetch("s1", at(12_000), 500, null, "/#/settings"));
        send(fetch("s1", at(8_000), 200, null, "/#/settings"));
        watermark(9_000);
        assertThat(emitted())
                .as("only what the watermark passed")
                .containsExactly(
                        "page_view /#/dashboard @0",
                        "page_view /#/orders/:id @5000",
                        "fetch /#/orders/:id @8000");
        send(routeChange("s1", 10_000, "/#/settings"));
        watermark(20_000);
        assertThat(emitted())
                .containsExactly(
                        "page_view /#/dashboard @0",
                        "page_view /#/orders/:id @5000",
                        "fetch /#/orders/:id @8000",
                        "page_view /#/settings @10000",
                        "fetch /#/settings @12000");
    }

    @Test
    void anEventBehindTheWatermarkIsPlacedAtOnceWithTheViewsKnown() throws Exception {
        send(pageView("s1", at(0), "/#/dashboard"));
        send(routeChange("s1", 5_000, "/#/orders/:id"));
        watermark(60_000);
        send(fetch("s1", at(3_000), 200, null, "/#/orders/:id"));
        assertThat(emitted())
                .containsExactly(
                        "page_view /#/dashboard @0",
                        "page_view /#/orders/:id @5000",
                        "fetch /#/dashboard @3000");
    }

    @Test
    void aViewAtTheEventsOwnMillisecondGovernsIt() throws Exception {
        send(pageView("s1", at(0), "/a"));
        send(routeChange("s1", 1_000, "/b"));
        send(fetch("s1", at(1_000), 200, null, "/a"));
        send(fetch("s1", at(999), 200, null, "/b"));
        watermark(2_000);
        assertThat(emitted()).contains("fetch /b @1000", "fetch /a @999");
    }

    @Test
    void documentLoadVitalsStayWithTheDocumentLoadInteractionVitalsFollowTheView()
            throws Exception {
        send(pageView("s1", at(0), "/spa"));
        send(routeChange("s1", 1_400, "/spa/product/:id"));
        // LCP is finalized at the first click, the one that changed the route; INP is reported
        // for the view it was measured on.
        send(vital("s1", at(1_410), "LCP", 852, "/spa/product/:id"));
        send(vital("s1", at(1_500), "INP", 16, "/spa/checkout"));
        watermark(2_000);
        assertThat(emitted()).contains("web_vital /spa @1410", "web_vital /spa/product/:id @1500");
    }

    @Test
    void aMultiPageSessionKeepsEveryRouteAsSentEvenWhenTimesOverlap() throws Exception {
        // No route change: a page's late vital or a second tab's fetch stays where it was sent.
        send(pageView("s1", at(0), "/home"));
        send(pageView("s1", at(4_000), "/product/:id"));
        send(vital("s1", at(4_500), "CLS", 0.02, "/home"));
        send(fetch("s1", at(4_200), 200, null, "/home"));
        watermark(10_000);
        assertThat(emitted()).contains("web_vital /home @4500", "fetch /home @4200");
    }

    @Test
    void eventsBeforeTheSessionsFirstViewKeepTheirOwnRoute() throws Exception {
        send(fetch("s1", at(0), 200, null, "/#/settings"));
        send(routeChange("s1", 1_000, "/#/orders/:id"));
        watermark(2_000);
        assertThat(emitted()).contains("fetch /#/settings @0");
    }

    @Test
    void sessionsAreIndependent() throws Exception {
        send(pageView("s1", at(0), "/a"));
        send(routeChange("s1", 1_000, "/b"));
        send(pageView("s2", at(0), "/x"));
        send(fetch("s2", at(2_000), 200, null, "/y"));
        watermark(3_000);
        assertThat(emitted()).contains("fetch /y @2000");
    }

    @Test
    void aReroutedEventIsACopyTheInputIsNotChanged() throws Exception {
        send(pageView("s1", at(0), "/a"));
        send(routeChange("s1", 1_000, "/b"));
        RumEvent f = fetch("s1", at(500), 200, null, "/b");
        send(f);
        watermark(2_000);
        assertThat(emitted()).contains("fetch /a @500");
        assertThat(f.route).isEqualTo("/b");
    }

    @Test
    void heldEventsAreReleasedBeforeTheWatermarkThatClosesTheirMinute() throws Exception {
        send(pageView("s1", at(0), "/a"));
        long lastMs = 60_000 - (T % 60_000) - 1; // the last millisecond of T's minute
        send(fetch("s1", at(lastMs), 200, null, "/a"));
        // A window [m, m + 1 min) fires at watermark m + 1 min - 1: the event must be out by then.
        watermark(lastMs);
        assertThat(emitted()).contains("fetch /a @" + lastMs);
    }

    @Test
    void stateAndTimersAreBackToZeroOnceTheSessionClosed() throws Exception {
        send(pageView("s1", at(0), "/spa"));
        send(routeChange("s1", 1_000, "/spa/cart"));
        send(fetch("s1", at(1_500), 200, null, "/spa"));
        send(fetch("s2", at(1_500), 200, null, "/x"));
        assertThat(storedAtASnapshot(1)).isPositive();
        watermark(5_000);
        assertThat(harness.numEventTimeTimers()).as("only s1's clean-up timer").isEqualTo(1);
        // Activity later in the session moves the close.
        send(fetch("s1", at(20 * 60_000), 200, null, "/spa/cart"));
        watermark(1_500 + GAP.toMillis() + 60_000);
        assertThat(storedAtASnapshot(2)).as("session still open").isPositive();
        watermark(20 * 60_000 + GAP.toMillis() + 60_000);
        assertThat(storedAtASnapshot(3)).isZero();
        assertThat(assigner.cachedHistories()).isZero();
        assertThat(assigner.cachedSessions()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(emitted()).hasSize(5);
    }

    /** The output in order, records as {@link #line}s and watermarks as "W @ms". */
    private List<String> emittedWithWatermarks() {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add(line((RumEvent) r.getValue()));
            } else if (o instanceof Watermark w) {
                out.add("W @" + (w.getTimestamp() - T));
            }
        }
        return out;
    }

    @Test
    void aHeldEventLeavesBeforeTheFirstWatermarkAtItsOwnTimeSoNoConsumerSeesItLate()
            throws Exception {
        // Downstream, the session assembler counts an event behind its watermark as late and the
        // rage-click detector replays clicks by time: a held event must arrive before any
        // watermark at or after its time, as it did straight from ingest.
        send(pageView("s1", at(0), "/a"));
        send(routeChange("s1", 1_000, "/b"));
        send(fetch("s1", at(1_200), 200, null, "/a"));
        send(fetch("s1", at(1_700), 200, null, "/a"));
        watermark(1_199);
        watermark(1_200);
        watermark(1_699);
        watermark(1_700);
        assertThat(emittedWithWatermarks())
                .containsExactly(
                        "page_view /a @0",
                        "page_view /b @1000",
                        "W @1199",
                        "fetch /b @1200",
                        "W @1200",
                        "W @1699",
                        "fetch /b @1700",
                        "W @1700");
    }

    @Test
    void aViewDoesNotOvertakeEarlierEventsOfItsSessionSoSessionBoundariesFollowEventTime()
            throws Exception {
        // A multi-page visit: the fetch at 29:50 arrives after the view at 30:10 (a later beacon).
        // The session assembler cuts a session on arrival (maximum duration, gap): had the view
        // gone first, it would have cut there and the fetch would have opened the next piece.
        send(pageView("s1", at(0), "/home"));
        send(pageView("s1", at(1_810_000), "/product/:id"));
        send(fetch("s1", at(1_790_000), 200, null, "/home"));
        watermark(1_820_000);
        assertThat(emitted())
                .containsExactly(
                        "page_view /home @0",
                        "fetch /home @1790000",
                        "page_view /product/:id @1810000");
    }

    @Test
    void aLateViewCountsAsAViewAndGovernsTheEventsStillHeldNotTheOnesReleased() throws Exception {
        send(pageView("s1", at(0), "/#/dashboard"));
        send(routeChange("s1", 2_000, "/#/orders/:id"));
        send(fetch("s1", at(3_000), 200, null, "/#/settings"));
        send(fetch("s1", at(5_000), 200, null, "/#/settings"));
        send(fetch("s1", at(9_000), 200, null, "/#/settings"));
        watermark(6_000);
        // The route change to settings at 4 s arrives behind the watermark (a late beacon).
        send(routeChange("s1", 4_000, "/#/settings"));
        watermark(10_000);
        assertThat(emitted())
                .containsExactly(
                        "page_view /#/dashboard @0",
                        "page_view /#/orders/:id @2000",
                        "fetch /#/orders/:id @3000",
                        // Released at watermark 6 s with the views known then: not re-routed.
                        "fetch /#/orders/:id @5000",
                        // Behind the watermark, the view passes at once: metrics and
                        // sessions count it.
                        "page_view /#/settings @4000",
                        // Still held when it arrived: on its route.
                        "fetch /#/settings @9000");
        assertThat(assigner.lateViewCount()).isEqualTo(1);
        assertThat(assigner.lateViewsAfterTheirEventsCount())
                .as("the fetches at 5 s and 9 s were sent after its time")
                .isEqualTo(1);
    }

    @Test
    void aLateViewWithNoEventAfterItIsCountedAsLateOnly() throws Exception {
        send(pageView("s1", at(0), "/a"));
        send(fetch("s1", at(1_000), 200, null, "/a"));
        watermark(8_000);
        send(routeChange("s1", 2_000, "/b"));
        send(fetch("s1", at(9_000), 200, null, "/a"));
        watermark(10_000);
        assertThat(emitted())
                .containsExactly(
                        "page_view /a @0",
                        "fetch /a @1000",
                        "page_view /b @2000",
                        "fetch /b @9000");
        assertThat(assigner.lateViewCount()).isEqualTo(1);
        assertThat(assigner.lateViewsAfterTheirEventsCount()).isZero();
        // State and timers still go: the late view does not outlive the session.
        watermark(9_000 + GAP.toMillis() + 60_000);
        assertThat(storedAtASnapshot(1)).isZero();
        assertThat(assigner.cachedHistories()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void viewHistoryKeepsOnlyViewsThatCanStillGovernAnEvent() {
        ViewHistory h = new ViewHistory();
        RumEvent load = pageView("s1", at(0), "/spa");
        h.add(load);
        for (int i = 1; i <= 5; i++) {
            h.add(routeChange("s1", i * 60_000L, "/r" + i));
        }
        // Horizon between the 3rd and 4th route change: the 3rd still governs events after it,
        // the document load still governs load vitals.
        h.prune(T + 3 * 60_000L + 1);
        assertThat(h.routes).containsExactly("/spa", "/r3", "/r4", "/r5");
        assertThat(h.routeOf(fetch("s1", at(3 * 60_000L + 10), 200, null, "/r5"))).isEqualTo("/r3");
        assertThat(h.routeOf(vital("s1", at(5 * 60_000L), "TTFB", 100, "/r5"))).isEqualTo("/spa");

        ViewHistory many = new ViewHistory();
        for (int i = 0; i < ViewHistory.MAX_VIEWS + 10; i++) {
            many.add(routeChange("s1", i * 1_000L, "/r" + i));
        }
        assertThat(many.size()).isEqualTo(ViewHistory.MAX_VIEWS);
        assertThat(many.routes[0]).isEqualTo("/r10");
    }

    @Test
    void viewHistoryIsAPojoAndATypicalSessionsViewsTakeAFewHundredBytes() throws Exception {
        TypeInformation<ViewHistory> info = TypeInformation.of(ViewHistory.class);
        assertThat(info).as("POJO state, no Kryo").isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<ViewHistory> serializer = info.createSerializer(new SerializerConfigImpl());
        // The admin SPA of generator-spa.yaml: a load, then route changes over hash routes; after
        // pruning a session keeps the views of the last allowed-lateness span (5 min) plus one.
        ViewHistory h = new ViewHistory();
        h.add(pageView("s1", at(0), "/#/dashboard"));
        String[] routes = {"/#/orders/:id", "/#/customers/:id", "/#/settings", "/#/dashboard"};
        for (int i = 1; i < 8; i++) {
            h.add(routeChange("s1", i * 25_000L, routes[i % routes.length]));
        }
        h.lastSeen = T + 200_000;
        h.cleanupTimer = T + 2_000_000;
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(h, out);
        assertThat(out.length())
                .as("bytes of an 8-view history (228 measured)")
                .isBetween(150, 256);
        assertThat(
                        serializer.deserialize(
                                        new org.apache.flink.core.memory.DataInputDeserializer(
                                                out.getCopyOfBuffer()))
                                .routes)
                .containsExactly(h.routes);
    }
}
