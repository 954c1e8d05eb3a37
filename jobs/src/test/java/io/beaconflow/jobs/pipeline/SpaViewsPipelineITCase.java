package io.beaconflow.jobs.pipeline;

import static io.beaconflow.jobs.testing.Beacons.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.bench.MemoryBeaconSource;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.ingest.BeaconDecoder;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.sessions.SessionRecord;
import io.beaconflow.jobs.testing.Beacons;
import io.beaconflow.jobs.testing.CollectingSink;
import io.beaconflow.jobs.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hash-routed single-page app through the production graph ({@link BeaconflowPipeline}, generic
 * types off, parallelism 2): each visit loads the document once and then changes route a few times
 * (each route change with the INP measured on it). The metric rows of the app total and of each
 * route, and the closed sessions, must hold exactly the counts computed here from the input: page
 * views including route changes, route changes, timed route changes and INP values per route and
 * minute, views per session.
 */
class SpaViewsPipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final String APP = "spa-shop";
    private static final String ORIGIN = "https://spa.example";

    /** URL and its route template, written here by hand (not by the job's normalizer). */
    private static final String[][] ROUTES = {
        {"/#/orders/%d?tab=items", "/#/orders/:id"},
        {"/#/settings", "/#/settings"},
        {"/#/cart/", "/#/cart"},
    };

    /** Expected counts of one series in one window. */
    static final class Counts {
        double pageViews;
        double routeChanges;
        long routeChangeCount;
        long inpCount;
        long loadCount;
    }

    @Test
    void routeChangesAreViewsOfTheirRoutesInMetricRowsAndSessionsWithExactCounts()
            throws Exception {
        List<RawBeacon> beacons = new ArrayList<>();
        Map<String, Counts> expected = new TreeMap<>(); // dimension|value|windowStart
        Map<String, Integer> viewsPerSession = new TreeMap<>();
        long t0 = T0.toEpochMilli();
        int sessions = 24;
        for (int i = 0; i < sessions; i++) {
            String session = "spa-" + i;
            long start = t0 + i * 9_000L;
            // The document load.
            beacons.add(documentLoad(APP, session, start, ORIGIN + "/"));
            count(expected, "/", start, 1, false, null, false);
            int changes = 1 + i % 4;
            viewsPerSession.put(session, 1 + changes);
            for (int j = 1; j <= changes; j++) {
                long at = start + j * 7_000L;
                String[] route = ROUTES[(i + j) % ROUTES.length];
                String url = ORIGIN + String.format(route[0], 100 + i);
                // Every third route change comes from an SDK that does not time it.
                Double ms = (i + j) % 3 == 0 ? null : 80.0 + 10 * j;
                String pv =
                        "{\"navigation\":\"route_change\""
                                + (ms == null ? "" : ",\"route_change_ms\":" + ms)
                                + "}";
                String viewId = session + "-v" + j;
                // Sent once the INP is measured: an event stamped after its beacon's arrival is
                // clamped to the arrival (ingest.max-future), which would move it to another
                // minute whenever the two straddle one.
                beacons.add(
                        beacon(
                                at + 2_000,
                                new Beacons.Event[] {
                                    Beacons.pageView(session, Instant.ofEpochMilli(at))
                                            .put("app", APP)
                                            .put("view_id", viewId)
                                            .put("page_url", url)
                                            .raw("page_view", pv),
                                    Beacons.webVital(
                                                    session,
                                                    Instant.ofEpochMilli(at + 3_000),
                                                    "INP",
                                                    120 + i)
                                            .put("app", APP)
                                            .put("view_id", viewId)
                                            .put("page_url", url)
                                }));
                count(expected, route[1], at, 1, true, ms, false);
                count(expected, route[1], at + 3_000, 0, false, null, true);
            }
        }
        RawBeacon[] input = Beacons.asOnePartition(beacons, "spa");

        BeaconflowConfig config = BeaconflowConfig.defaults();
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        BeaconflowPipeline.build(
                        env,
                        new MemoryBeaconSource(
                                "spa-views", input, new BeaconDecoder(config.ingest), 1),
                        "spa",
                        config)
                .sinkTo(
                        new BeaconflowPipeline.Sinks()
                                .events(CollectingSink.named("spa-events"))
                                .sessions(CollectingSink.named("spa-sessions"))
                                .metrics(CollectingSink.named("spa-metrics")));
        env.execute("spa-views-itcase");

        List<RumEvent> events = CollectingSink.results("spa-events");
        assertThat(events).as("every beacon event accepted").hasSize(countEvents(expected));

        // The latest version of each metric row (late updates overwrite by id).
        Map<String, ScoredAggregate> rows = new TreeMap<>();
        for (ScoredAggregate r : CollectingSink.<ScoredAggregate>results("spa-metrics")) {
            if (!APP.equals(r.app)) continue;
            ScoredAggregate prev = rows.get(r.id);
            if (prev == null || prev.updateSeq < r.updateSeq) rows.put(r.id, r);
        }
        Map<String, Counts> actual = new TreeMap<>();
        for (ScoredAggregate r : rows.values()) {
            if (!r.dimension.equals("route") && !r.dimension.equals("all")) continue;
            Counts c = new Counts();
            c.pageViews = r.pageViews;
            c.routeChanges = r.routeChanges;
            c.routeChangeCount = r.routeChange.count;
            c.inpCount = r.inp.count;
            c.loadCount = r.load.count;
            actual.put(r.dimension + "|" + r.dimensionValue + "|" + r.windowStart, c);
        }
        assertThat(render(actual)).isEqualTo(render(expected));
        assertThat(expected.keySet())
                .as("the run covers every route and several windows")
                .anyMatch(k -> k.startsWith("route|/#/orders/:id|"))
                .anyMatch(k -> k.startsWith("route|/#/settings|"))
                .anyMatch(k -> k.startsWith("route|/#/cart|"));

        // Sessions: every view counts, route changes included; the exit is a route.
        Map<String, Integer> sessionViews = new TreeMap<>();
        for (SessionRecord s : CollectingSink.<SessionRecord>results("spa-sessions")) {
            if (s.closed && APP.equals(s.app)) {
                assertThat(sessionViews.put(s.sessionId, s.pageViews)).isNull();
                assertThat(s.landingRoute).isEqualTo("/");
                assertThat(s.exitRoute).startsWith("/#/");
                assertThat(s.bounce).as("a visit with route changes is no bounce").isFalse();
            }
        }
        assertThat(sessionViews).isEqualTo(viewsPerSession);
    }

    /**
     * The document load of {@code session} of {@code app} on {@code url} at {@code at}, sent a
     * second later.
     */
    static RawBeacon documentLoad(String app, String session, long at, String url) {
        return beacon(
                at,
                Beacons.pageView(session, Instant.ofEpochMilli(at))
                        .put("app", app)
                        .put("page_url", url));
    }

    /** {@code events} in one batch sent (and received) a second after {@code at}. */
    static RawBeacon beacon(long at, Beacons.Event... events) {
        Instant sent = Instant.ofEpochMilli(at + 1_000);
        String json = Beacons.batch(sent, sent, events);
        return new RawBeacon(json.getBytes(StandardCharsets.UTF_8), "spa", 0, 0, at + 1_000);
    }

    /** Adds one event to the app total and to its route's series of its minute. */
    private static void count(
            Map<String, Counts> expected,
            String route,
            long at,
            int views,
            boolean routeChange,
            Double ms,
            boolean inp) {
        long window = Math.floorDiv(at, 60_000L) * 60_000L;
        for (String key : List.of("all|*|" + window, "route|" + route + "|" + window)) {
            Counts c = expected.computeIfAbsent(key, k -> new Counts());
            c.pageViews += views;
            if (routeChange) c.routeChanges++;
            if (ms != null) c.routeChangeCount++;
            if (inp) c.inpCount++;
            if (views == 1 && !routeChange) c.loadCount++;
        }
    }

    private static int countEvents(Map<String, Counts> expected) {
        int n = 0;
        for (Map.Entry<String, Counts> e : expected.entrySet()) {
            if (e.getKey().startsWith("all|")) {
                n += (int) e.getValue().pageViews + (int) e.getValue().inpCount;
            }
        }
        return n;
    }

    private static Map<String, String> render(Map<String, Counts> m) {
        Map<String, String> out = new TreeMap<>();
        m.forEach(
                (k, c) ->
                        out.put(
                                k,
                                String.format(
                                        "views=%.1f routeChanges=%.1f timed=%d inp=%d loads=%d",
                                        c.pageViews,
                                        c.routeChanges,
                                        c.routeChangeCount,
                                        c.inpCount,
                                        c.loadCount)));
        return out;
    }
}
