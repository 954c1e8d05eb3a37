package io.beaconflow.jobs.pipeline;

import static io.beaconflow.jobs.pipeline.SpaViewsPipelineITCase.beacon;
import static io.beaconflow.jobs.pipeline.SpaViewsPipelineITCase.documentLoad;
import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.bench.MemoryBeaconSource;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.RouteActivity;
import io.beaconflow.jobs.errors.ErrorGroup;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.sessions.TimelineEntry;
import io.beaconflow.jobs.testing.Beacons;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import io.beaconflow.jobs.traces.FetchTiming;
import io.beaconflow.jobs.traces.ServerSpan;
import io.beaconflow.jobs.traces.ServerSpanRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A single-page app whose SDK batches events and stamps each batch with the page current when it is
 * sent (as Faro does: docs/DISCUSSION.md, "SPA fetches on the route they were made on"), through
 * the production graph with a server-span source ({@link BeaconflowPipeline}, generic types off,
 * parallelism 2). Each visit loads {@code /#/dashboard}, changes route to an order, and there
 * throws an error, rage-clicks a button and makes a failing traced fetch; then it changes route to
 * {@code /#/settings}, and only then the batch with all of that is sent, from settings.
 *
 * <p>Where each event was made is known here by construction, not from the job: every output that
 * reports a route (error groups, rage clicks per route, the session timeline, the fetch joined with
 * its server span) must name the order route, while the enriched-events output keeps the route as
 * sent (settings), which is the defect in the input.
 */
class SpaRoutesEverywhereITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final String APP = "spa-admin";
    private static final String ORIGIN = "https://admin.example";
    private static final String MADE_ON = "/#/orders/:id";
    private static final String SENT_FROM = "/#/settings";
    private static final int SESSIONS = 6;

    @Test
    void errorGroupsRageClicksSessionTimelinesAndTracesNameTheRouteTheEventWasMadeOn()
            throws Exception {
        List<RawBeacon> beacons = new ArrayList<>();
        List<String[]> spans = new ArrayList<>(); // trace id, parent span id, start ms
        long t0 = T0.toEpochMilli();
        for (int i = 0; i < SESSIONS; i++) {
            String session = "spa-r-" + i;
            long start = t0 + i * 11_000L;
            String orderUrl = ORIGIN + "/#/orders/" + (500 + i);
            String settingsUrl = ORIGIN + "/#/settings";
            beacons.add(documentLoad(APP, session, start, ORIGIN + "/#/dashboard"));
            beacons.add(
                    beacon(
                            start + 5_000,
                            routeChange(session, start + 5_000, orderUrl, session + "-v1")));
            // Everything made on the order route, sent 16 s later from settings.
            List<Beacons.Event> batch = new ArrayList<>();
            batch.add(routeChange(session, start + 20_000, settingsUrl, session + "-v2"));
            batch.add(onSettings(Beacons.jsError(session, Instant.ofEpochMilli(start + 6_000))));
            for (int k = 0; k < 4; k++) {
                batch.add(
                        onSettings(
                                Beacons.click(
                                        session,
                                        Instant.ofEpochMilli(start + 8_000 + 200L * k),
                                        "#refund")));
            }
            String traceId = String.format("%032x", 0xabc000L + i);
            String spanId = String.format("%016x", 0xdef000L + i);
            batch.add(
                    onSettings(
                            Beacons.fetch(session, Instant.ofEpochMilli(start + 9_000), 500, 240)
                                    .raw(
                                            "fetch",
                                            "{\"url\":\"https://admin.example/api/orders/"
                                                    + (500 + i)
                                                    + "/refund\",\"method\":\"POST\","
                                                    + "\"status\":500,\"duration_ms\":240,"
                                                    + "\"trace_id\":\""
                                                    + traceId
                                                    + "\",\"span_id\":\""
                                                    + spanId
                                                    + "\"}")));
            spans.add(new String[] {traceId, spanId, String.valueOf(start + 9_030)});
            beacons.add(beacon(start + 21_000, batch.toArray(new Beacons.Event[0])));
        }
        RawBeacon[] input = Beacons.asOnePartition(beacons, "spa");

        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        String run = "spa-everywhere-" + System.nanoTime();
        BeaconflowPipeline pipeline =
                BeaconflowPipeline.build(
                                env,
                                new MemoryBeaconSource(
                                        run, input, new BeaconDecoder(config.ingest), 1),
                                "spa",
                                config)
                        .withServerSpans(serverSpans(spans), "backend", config);
        // Rage clicks per route: the detection chain's activity stream (no sink of its own).
        pipeline.routeActivity().sinkTo(CollectingSink.named(run + "-activity"));
        pipeline.sinkTo(
                new BeaconflowPipeline.Sinks()
                        .events(CollectingSink.named(run + "-events"))
                        .sessions(CollectingSink.named(run + "-sessions"))
                        .errorGroups(CollectingSink.named(run + "-errors"))
                        .fetchTimings(CollectingSink.named(run + "-fetches")));
        env.execute("spa-routes-everywhere-itcase");

        // The defect in the input: the error, clicks and fetch were sent from settings.
        Map<EventType, Integer> sentFromSettings = new TreeMap<>();
        for (RumEvent e : CollectingSink.<RumEvent>results(run + "-events")) {
            if (e.type != EventType.PAGE_VIEW) {
                assertThat(e.route).as("as sent: %s", e).isEqualTo(SENT_FROM);
                sentFromSettings.merge(e.type, 1, Integer::sum);
            }
        }
        assertThat(sentFromSettings)
                .isEqualTo(
                        Map.of(
                                EventType.ERROR, SESSIONS,
                                EventType.ACTION, 4 * SESSIONS,
                                EventType.FETCH, SESSIONS));

        // Error groups: one fingerprint, seen on the order route only.
        List<ErrorGroup> groups = CollectingSink.results(run + "-errors");
        assertThat(groups).isNotEmpty();
        ErrorGroup last = null;
        for (ErrorGroup g : groups) {
            assertThat(g.app).isEqualTo(APP);
            assertThat(g.firstRoute).isEqualTo(MADE_ON);
            assertThat(g.routes).containsExactly(MADE_ON);
            if (last == null || g.count > last.count) last = g;
        }
        assertThat(last.count).as("every session's error, once").isEqualTo(SESSIONS);

        // Rage clicks per route (the frustration detector's input): one burst per session.
        Map<String, Double> rageByRoute = new TreeMap<>();
        Map<String, Double> viewsByRoute = new TreeMap<>();
        for (RouteActivity a : CollectingSink.<RouteActivity>results(run + "-activity")) {
            if (!APP.equals(a.app)) continue;
            if (a.rageClicks > 0) rageByRoute.merge(a.route, a.rageClicks, Double::sum);
            if (a.pageViews > 0) viewsByRoute.merge(a.route, a.pageViews, Double::sum);
        }
        assertThat(rageByRoute).isEqualTo(Map.of(MADE_ON, (double) SESSIONS));
        assertThat(viewsByRoute)
                .isEqualTo(
                        Map.of(
                                "/#/dashboard",
                                (double) SESSIONS,
                                MADE_ON,
                                (double) SESSIONS,
                                SENT_FROM,
                                (double) SESSIONS));

        // Session timelines: views on their own routes, the rest where it was made.
        int closed = 0;
        for (SessionRecord s : CollectingSink.<SessionRecord>results(run + "-sessions")) {
            if (!s.closed || !APP.equals(s.app)) continue;
            closed++;
            assertThat(s.pageViews).isEqualTo(3);
            assertThat(s.landingRoute).isEqualTo("/#/dashboard");
            assertThat(s.exitRoute).isEqualTo(SENT_FROM);
            List<String> timeline = new ArrayList<>();
            for (TimelineEntry t : s.timeline) timeline.add(t.type + " " + t.route);
            assertThat(timeline)
                    .as("session %s", s.sessionId)
                    .containsExactly(
                            "page_view /#/dashboard",
                            "page_view " + MADE_ON,
                            "error " + MADE_ON,
                            "action " + MADE_ON,
                            "action " + MADE_ON,
                            "action " + MADE_ON,
                            "action " + MADE_ON,
                            "fetch " + MADE_ON,
                            "page_view " + SENT_FROM);
        }
        assertThat(closed).isEqualTo(SESSIONS);

        // The failing fetch joined with its server span, timed on the route it was made on.
        List<FetchTiming> timings = CollectingSink.results(run + "-fetches");
        assertThat(timings).hasSize(SESSIONS);
        for (FetchTiming f : timings) {
            assertThat(f.joined).isTrue();
            assertThat(f.route).isEqualTo(MADE_ON);
        }
    }

    private static Beacons.Event routeChange(String session, long at, String url, String viewId) {
        return Beacons.pageView(session, Instant.ofEpochMilli(at))
                .put("app", APP)
                .put("view_id", viewId)
                .put("page_url", url)
                .raw("page_view", "{\"navigation\":\"route_change\",\"route_change_ms\":60}");
    }

    private static Beacons.Event onSettings(Beacons.Event e) {
        return e.put("app", APP).put("page_url", ORIGIN + "/#/settings");
    }

    /** One backend SERVER span per traced fetch, child of the fetch's span, 30 ms after it. */
    private static DataGeneratorSource<ServerSpanRecord> serverSpans(List<String[]> spans) {
        String[][] rows = spans.toArray(new String[0][]);
        return new DataGeneratorSource<>(
                index -> {
                    String[] r = rows[index.intValue()];
                    ServerSpan s = new ServerSpan();
                    s.app = APP;
                    s.service = "orders-api";
                    s.traceId = r[0];
                    s.spanId = String.format("%016x", 0x5e0000L + index);
                    s.parentSpanId = r[1];
                    s.method = "POST";
                    s.route = "/api/orders/{id}/refund";
                    s.status = 500;
                    s.error = true;
                    s.startMs = Long.parseLong(r[2]);
                    s.durationMs = 180;
                    s.receivedAt = s.startMs + 1_000;
                    return ServerSpanRecord.accepted(s);
                },
                rows.length,
                TypeInformation.of(ServerSpanRecord.class));
    }
}
