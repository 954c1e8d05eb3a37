package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.config.IngestConfig;
import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.traces.ServerSpan;
import io.beaconflow.jobs.traces.ServerSpanDecoder;
import io.beaconflow.jobs.traces.ServerSpanRecord;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The generator's backends: one SERVER span per fetch an instrumented backend answered, exactly as
 * the collector writes it (decoded by the job's {@link ServerSpanDecoder}), inside the job's join
 * window, with the server's time a share of the client's; listening for them leaves the beacons
 * byte-identical; a backend_slow incident moves the server's time and the client's by the same
 * amount and the network time not at all.
 */
class ServerSpanTrafficTest {
    private static final long SEED = 42L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long JOIN_BEFORE_MS = 30_000;
    private static final long JOIN_AFTER_MS = 120_000;

    private static GeneratorConfig shipped(String duration) {
        return GeneratedTraffic.shipped().withDuration(duration);
    }

    /** Every fetch a backend answered, of one split, by its span id, as the simulation made it. */
    private static Map<String, SimEvent.Fetch> served(GeneratorConfig c, int split, int count) {
        Map<String, SimEvent.Fetch> out = new LinkedHashMap<>();
        TrafficGenerator g = new TrafficGenerator(c, SEED, split, count);
        g.onServedFetches((s, f) -> assertThat(out.put(f.spanId(), f)).isNull());
        while (g.hasNext()) g.skip(1);
        return out;
    }

    /** The split's span records, decoded as the job decodes the server-spans topic. */
    private static List<ServerSpan> spans(GeneratorConfig c, int split, int count) {
        ServerSpanDecoder decoder = new ServerSpanDecoder(new IngestConfig());
        List<ServerSpan> out = new ArrayList<>();
        ServerSpanTraffic t = new ServerSpanTraffic(c, SEED, split, count);
        long last = Long.MIN_VALUE;
        while (t.hasNext()) {
            RawBeacon r = t.next();
            assertThat(r.receivedAt).as("arrival order").isGreaterThanOrEqualTo(last);
            last = r.receivedAt;
            List<ServerSpanRecord> decoded = new ArrayList<>();
            decoder.decode(r, decoded::add);
            assertThat(decoded).hasSize(1);
            assertThat(decoded.get(0).isAccepted()).as("%s", decoded.get(0)).isTrue();
            ServerSpan s = decoded.get(0).span;
            assertThat(s.receivedAt).isEqualTo(r.receivedAt);
            assertThat(r.receivedAt).isLessThan(c.endMillis());
            out.add(s);
        }
        return out;
    }

    @Test
    void everyFetchABackendAnsweredHasOneSpanThatTheJoinFindsAndNoOtherFetchHasOne()
            throws Exception {
        GeneratorConfig c = shipped("40m");
        Map<String, SimEvent.Fetch> served = served(c, 1, 4);
        List<ServerSpan> spans = spans(c, 1, 4);
        assertThat(spans).hasSizeGreaterThan(1000);

        Map<String, ServerSpan> byParent = new HashMap<>();
        for (ServerSpan s : spans) {
            assertThat(byParent.put(s.parentSpanId, s)).as("one span per fetch").isNull();
            SimEvent.Fetch f = served.get(s.parentSpanId);
            assertThat(f).as("span of an answered fetch: %s", s).isNotNull();
            assertThat(s.traceId).isEqualTo(f.traceId());
            assertThat(s.spanId).isNotEqualTo(f.spanId()).hasSize(16);
            assertThat(s.method).isEqualTo(f.method());
            assertThat(s.status).isEqualTo(f.status());
            assertThat(s.error).isEqualTo(f.status() >= 500);
            String path = f.api().substring(f.api().indexOf(' ') + 1);
            assertThat(path).startsWith(s.route);
            assertThat(s.route).doesNotContain("?");
            String app = f.url().contains("shop.example.com") ? "shop-web" : "news-web";
            assertThat(s.app).isEqualTo(app);
            assertThat(s.service)
                    .isEqualTo(SimApp.backendOf(backends(c, app), f.api()))
                    .isNotNull();
            // Server and network make up the client's time: the span lies inside the fetch.
            assertThat(s.durationMs)
                    .isCloseTo(f.serverMs(), org.assertj.core.data.Offset.offset(0.0005));
            assertThat(s.durationMs).isLessThanOrEqualTo(f.durationMs());
            assertThat(s.startMs).isGreaterThanOrEqualTo(f.time());
            assertThat(s.startMs + s.durationMs).isLessThanOrEqualTo(f.time() + f.durationMs() + 1);
            assertThat(s.startMs - f.time()).isBetween(-JOIN_BEFORE_MS, JOIN_AFTER_MS);
            assertThat(s.receivedAt).isGreaterThan((long) (s.startMs + s.durationMs));
            double share = s.durationMs / f.durationMs();
            assertThat(share).isBetween(ServerTimes.MIN_SHARE - 1e-6, ServerTimes.MAX_SHARE);
        }
        // Answered fetches without a span: only those whose span arrives after the run's end.
        for (SimEvent.Fetch f : served.values()) {
            if (!byParent.containsKey(f.spanId())) {
                assertThat(f.time() + f.durationMs() + 5_001).isGreaterThanOrEqualTo(c.endMillis());
            }
        }

        // From the beacons, as the job sees them: a fetch has a span iff it got an answer (status
        // not 0) from a path a backend covers; late beacons may carry fetches beyond the run.
        int withSpan = 0;
        int without = 0;
        TrafficGenerator g = new TrafficGenerator(c, SEED, 1, 4);
        Set<String> seen = new HashSet<>();
        while (g.hasNext()) {
            RawBeacon b = g.next();
            JsonNode root;
            try {
                root = JSON.readTree(b.payload);
            } catch (Exception malformed) {
                continue;
            }
            JsonNode events =
                    root.has("events") ? root.get("events") : JSON.createArrayNode().add(root);
            for (JsonNode e : events) {
                JsonNode fetch = e.path("fetch");
                if (!"fetch".equals(e.path("type").asText()) || !fetch.has("span_id")) continue;
                String spanId = fetch.get("span_id").asText();
                if (!seen.add(spanId)) continue; // a duplicate beacon
                URI url = URI.create(fetch.get("url").asText());
                String app = e.path("app").asText(root.path("app").asText());
                boolean covered =
                        SimApp.backendOf(backends(c, app), "X " + url.getRawPath()) != null;
                boolean expected = covered && fetch.get("status").asInt() != 0;
                if (!fetch.get("url").asText().endsWith("/api/v1/ping")) {
                    assertThat(served.containsKey(spanId)).as("%s", fetch).isEqualTo(expected);
                }
                if (byParent.containsKey(spanId)) {
                    withSpan++;
                    ServerSpan s = byParent.get(spanId);
                    assertThat(s.traceId).isEqualTo(fetch.get("trace_id").asText());
                    // The client's duration as sent (tenths) = server + network, within rounding.
                    double network = fetch.get("duration_ms").asDouble() - s.durationMs;
                    assertThat(network).isGreaterThan(-0.06);
                } else {
                    without++;
                }
            }
        }
        assertThat(withSpan).isGreaterThan(1000);
        assertThat(without).as("status 0 and /api/events calls").isGreaterThan(0);
    }

    private static Map<String, String> backends(GeneratorConfig c, String app) {
        for (GeneratorConfig.AppSpec a : c.apps) if (a.name.equals(app)) return a.backends;
        throw new AssertionError(app);
    }

    @Test
    void listeningForServedFetchesDrawsNothing() {
        GeneratorConfig c = shipped("20m");
        TrafficGenerator plain = new TrafficGenerator(c, 7L, 2, 3);
        TrafficGenerator listened = new TrafficGenerator(c, 7L, 2, 3);
        int[] fetches = {0};
        listened.onServedFetches((s, f) -> fetches[0]++);
        while (plain.hasNext()) {
            assertThat(listened.hasNext()).isTrue();
            RawBeacon a = plain.next();
            RawBeacon b = listened.next();
            assertThat(b.receivedAt).isEqualTo(a.receivedAt);
            assertThat(b.payload).isEqualTo(a.payload);
        }
        assertThat(listened.hasNext()).isFalse();
        assertThat(fetches[0]).isGreaterThan(100);
    }

    @Test
    void skippingSpansLeavesTheGeneratorWhereEmittingThemWould() {
        GeneratorConfig c = shipped("20m");
        ServerSpanTraffic all = new ServerSpanTraffic(c, SEED, 0, 4);
        ServerSpanTraffic skipped = new ServerSpanTraffic(c, SEED, 0, 4);
        for (int i = 0; i < 500; i++) all.next();
        assertThat(skipped.skip(500)).isEqualTo(500);
        assertThat(skipped.position()).isEqualTo(500);
        while (all.hasNext()) assertThat(skipped.next().payload).isEqualTo(all.next().payload);
        assertThat(skipped.hasNext()).isFalse();
    }

    @Test
    void theKafkaRecordKeyIsTheSpansTraceIdAsTheCollectorKeysIt() throws Exception {
        ServerSpanTraffic t = new ServerSpanTraffic(shipped("10m"), SEED, 3, 4);
        for (int i = 0; i < 50; i++) {
            RawBeacon r = t.next();
            assertThat(TrafficToKafka.traceId(r.payload))
                    .isEqualTo(JSON.readTree(r.payload).get("trace_id").asText());
        }
    }

    private static final String SLOW =
            "incidents:\n"
                    + "  - { id: products-backend-slow, kind: backend_slow, app: shop-web,"
                    + " dimension: route, value: '/product/{id}', endpoint: 'GET"
                    + " /api/v2/products/{id}', start: 10m, duration: 15m, magnitude: 4.0 }\n";

    @Test
    void aBackendSlowIncidentMovesServerTimeAndClientTimeNotNetworkTime() {
        GeneratorConfig base =
                shipped("30m")
                        .withIncidents(GeneratorConfig.incidentsFromYaml("incidents: []", "t"));
        GeneratorConfig slow = base.withIncidents(GeneratorConfig.incidentsFromYaml(SLOW, "t"));
        Map<String, SimEvent.Fetch> before = served(base, 0, 4);
        Map<String, SimEvent.Fetch> after = served(slow, 0, 4);
        assertThat(after.keySet()).as("same calls").isEqualTo(before.keySet());
        int affected = 0;
        for (SimEvent.Fetch a : after.values()) {
            SimEvent.Fetch b = before.get(a.spanId());
            if (a.incident() == 0) {
                affected++;
                assertThat(a.api()).isEqualTo("GET /api/v2/products/{id}");
                assertThat(a.time())
                        .isBetween(
                                base.startMillis() + 10 * 60_000, base.startMillis() + 26 * 60_000);
                assertThat(a.serverMs()).isCloseTo(4 * b.serverMs(), within(1e-9 * a.serverMs()));
                assertThat(a.durationMs() - a.serverMs())
                        .as("network time")
                        .isCloseTo(b.durationMs() - b.serverMs(), within(1e-6));
                assertThat(a.durationMs() - b.durationMs())
                        .isCloseTo(3 * b.serverMs(), within(1e-6));
            } else {
                assertThat(a).isEqualTo(b);
            }
        }
        assertThat(affected).isGreaterThan(50);
        // The spans carry the slower server time, the join window still holds.
        Map<String, ServerSpan> spans = new HashMap<>();
        for (ServerSpan s : spans(slow, 0, 4)) spans.put(s.parentSpanId, s);
        for (SimEvent.Fetch a : after.values()) {
            ServerSpan s = spans.get(a.spanId());
            if (s == null || a.incident() != 0) continue;
            assertThat(s.durationMs).isCloseTo(a.serverMs(), within(0.0005));
            assertThat(s.durationMs / a.durationMs()).isGreaterThan(ServerTimes.MIN_SHARE);
        }
        // Ground truth names the endpoint and what moved.
        IncidentTruth truth = TrafficGenerator.truths(slow).get(0);
        assertThat(truth.metrics())
                .containsExactly(
                        "fetch.duration_ms",
                        IncidentTruth.SERVER_METRIC,
                        "fetch.endpoint=GET /api/v2/products/{id}");
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    @Test
    void backendsAndBackendSlowAreCheckedWithFileKeyAndFix() throws Exception {
        String yaml =
                java.nio.file.Files.readString(GeneratedTraffic.CONFIG)
                        .replace("/api/v2/cart: cart-api", "/api/v2/carts: cart api");
        assertThatThrownBy(() -> GeneratorConfig.fromYaml(yaml, "generator.yaml"))
                .hasMessageContaining("generator.yaml")
                .hasMessageContaining("apps[0].backends./api/v2/carts")
                .hasMessageContaining("service 'cart api' is not a service name")
                .hasMessageContaining("matches no API call of the app")
                .hasMessageContaining("Fix:");
        GeneratorConfig c = shipped("30m");
        String uncovered =
                "incidents:\n"
                        + "  - { id: x, kind: backend_slow, app: news-web, dimension: route,"
                        + " value: '/articles/{id}/{slug}', endpoint: 'POST /api/events',"
                        + " start: 1m, duration: 5m, magnitude: 0.5 }\n";
        assertThatThrownBy(() -> c.withIncidents(GeneratorConfig.incidentsFromYaml(uncovered, "t")))
                .hasMessageContaining("incidents[0].endpoint")
                .hasMessageContaining("answered by no backend of app news-web")
                .hasMessageContaining("incidents[0].magnitude");
    }
}
