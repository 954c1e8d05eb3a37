package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.generator.GeneratedTraffic.Seen;
import io.beaconflow.jobs.model.RawBeacon;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The incident kinds added for {@code ./beaconflow evaluate}: a failing API endpoint, a regression
 * of one vital, a slow latency drift and a partial outage. One 2-hour run of the shipped generator
 * with one incident of each kind on shop-web, checked from the payloads as a downstream consumer
 * sees them: each moves what it claims, by its magnitude, inside its window only, and nothing else.
 */
class NewIncidentKindsTest {
    private static final long SEED = 7L;
    private static final long MINUTE = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CART_API = "https://api.shop.example.com/api/v2/cart/";

    private static final String INCIDENTS =
            "incidents:\n"
                    + "  - { id: cart-api-failing, kind: api_failure, app: shop-web, dimension: route,"
                    + " value: /cart, endpoint: 'GET /api/v2/cart/{uuid}', start: 20m,"
                    + " duration: 30m, magnitude: 0.5 }\n"
                    + "  - { id: firefox-inp, kind: vital_regression, vital: INP, app: shop-web,"
                    + " dimension: browser, value: Firefox, start: 30m, duration: 40m,"
                    + " magnitude: 3.0 }\n"
                    + "  - { id: de-drift, kind: latency_drift, app: shop-web, dimension: country,"
                    + " value: DE, start: 10m, duration: 60m, magnitude: 3.0 }\n"
                    + "  - { id: old-release-outage, kind: partial_outage, app: shop-web,"
                    + " dimension: release, value: shop-web@2.3.0, start: 70m, duration: 30m,"
                    + " magnitude: 0.3 }\n";

    private static GeneratorConfig config;
    private static GenerationStats stats;
    private static List<Seen> events;

    /** Fetches as (receivedAt, page path, fetch url, status). */
    private static List<Fetch> fetches;

    record Fetch(long receivedAt, String page, String url, String method, int status) {}

    @BeforeAll
    static void generate() throws IOException {
        config =
                GeneratedTraffic.shipped()
                        .withIncidents(GeneratorConfig.incidentsFromYaml(INCIDENTS, "test"));
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(config, SEED, config.splits);
        events = new ArrayList<>();
        fetches = new ArrayList<>();
        while (all.hasNext()) {
            RawBeacon r = all.next();
            JsonNode root;
            try {
                root = JSON.readTree(r.payload);
                events.addAll(GeneratedTraffic.events(r));
            } catch (IOException malformed) {
                continue;
            }
            for (JsonNode e : root.has("events") ? root.get("events") : List.of(root)) {
                JsonNode f = e.path("fetch");
                if (e.path("type").asText().equals("fetch") && f.path("url").isTextual()) {
                    fetches.add(
                            new Fetch(
                                    r.receivedAt,
                                    e.path("page_url").asText(),
                                    f.path("url").asText(),
                                    f.path("method").asText(),
                                    f.path("status").asInt()));
                }
            }
        }
        stats = all.stats();
    }

    private static IncidentTruth truth(String id) {
        return TrafficGenerator.truths(config).stream()
                .filter(t -> t.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private static boolean human(Seen e) {
        return !e.userAgent().contains("bot") && !e.userAgent().contains("Headless");
    }

    private static boolean failed(Fetch f) {
        return f.status() == 0 || f.status() >= 500;
    }

    @Test
    void aFailingEndpointFailsItsShareOfCallsFromItsRouteOnlyInsideItsWindow() {
        IncidentTruth t = truth("cart-api-failing");
        long[] inside = new long[2]; // calls, failures
        long[] outside = new long[2];
        long[] otherEndpointInside = new long[2];
        for (Fetch f : fetches) {
            if (!f.page().contains("shop.example.com/cart")) continue;
            boolean cartGet = f.url().startsWith(CART_API) && f.method().equals("GET");
            boolean in =
                    f.receivedAt() >= t.startMillis() + MINUTE && f.receivedAt() < t.endMillis();
            boolean out =
                    f.receivedAt() < t.startMillis()
                            || f.receivedAt() > t.endMillis() + 25 * MINUTE;
            long[] bucket =
                    cartGet && in
                            ? inside
                            : cartGet && out
                                    ? outside
                                    : !cartGet && in ? otherEndpointInside : null;
            if (bucket == null) continue;
            bucket[0]++;
            if (failed(f)) bucket[1]++;
        }
        assertThat(inside[0]).isGreaterThan(300);
        // magnitude 0.5 plus the ordinary 1.5 % of the other half
        assertThat((double) inside[1] / inside[0]).isBetween(0.43, 0.58);
        assertThat((double) outside[1] / outside[0]).isLessThan(0.04);
        assertThat((double) otherEndpointInside[1] / otherEndpointInside[0]).isLessThan(0.04);
        assertThat(stats.incidentAffected().get(t.id())).isGreaterThan(150);
        assertThat(t.metrics())
                .containsExactly(
                        "fetch.status",
                        "fetch.error_rate",
                        "fetch.endpoint=GET /api/v2/cart/{uuid}");
    }

    @Test
    void aVitalRegressionMultipliesThatVitalOfItsSegmentAndNothingElse() {
        IncidentTruth t = truth("firefox-inp");
        Map<String, List<Double>> v = new HashMap<>();
        for (Seen e : events) {
            if (!e.app().equals("shop-web") || !human(e) || e.vitalName() == null) continue;
            boolean firefox = e.userAgent().contains("Firefox/");
            String when;
            if (e.receivedAt() < t.startMillis()) when = "before";
            else if (e.receivedAt() >= t.startMillis() + 10 * MINUTE
                    && e.receivedAt() < t.endMillis()) when = "inside";
            else if (e.receivedAt() > t.endMillis() + 25 * MINUTE) when = "after";
            else continue;
            v.computeIfAbsent(
                            e.vitalName() + "|" + (firefox ? "firefox" : "other") + "|" + when,
                            k -> new ArrayList<>())
                    .add(e.value());
        }
        assertThat(v.get("INP|firefox|inside").size()).isGreaterThan(100);
        assertThat(ratio(v, "INP|firefox|inside", "INP|firefox|before")).isBetween(2.5, 3.6);
        assertThat(ratio(v, "INP|firefox|after", "INP|firefox|before")).isBetween(0.8, 1.25);
        assertThat(ratio(v, "INP|other|inside", "INP|other|before")).isBetween(0.85, 1.15);
        // "one vital only": the other vitals of the same sessions do not move
        assertThat(ratio(v, "CLS|firefox|inside", "CLS|firefox|before")).isBetween(0.7, 1.4);
        assertThat(ratio(v, "LCP|firefox|inside", "LCP|firefox|before")).isBetween(0.8, 1.25);
        assertThat(t.metrics()).containsExactly("web_vital.INP");
        assertThat(stats.incidentAffected().get(t.id())).isGreaterThan(100);
    }

    @Test
    void aLatencyDriftRampsLinearlyFromNormalToItsMagnitudeOverTheWindow() {
        IncidentTruth t = truth("de-drift");
        long len = t.endMillis() - t.startMillis();
        Map<String, List<Double>> lcp = new HashMap<>();
        for (Seen e : events) {
            if (!e.app().equals("shop-web") || !human(e) || !"LCP".equals(e.vitalName())) continue;
            if (!e.country().equals("DE")) continue;
            long at = e.receivedAt();
            String when = null;
            if (at < t.startMillis()) when = "before";
            else if (at < t.startMillis() + len / 6) when = "first-sixth";
            else if (at >= t.startMillis() + len / 2 - len / 12
                    && at < t.startMillis() + len / 2 + len / 12) when = "middle";
            else if (at >= t.endMillis() - len / 6 && at < t.endMillis()) when = "last-sixth";
            else if (at > t.endMillis() + 5 * MINUTE) when = "after";
            if (when != null) lcp.computeIfAbsent(when, k -> new ArrayList<>()).add(e.value());
        }
        // factor 1 + 2 * progress: ~1.17 over the first sixth, 2 in the middle, ~2.83 at the end
        assertThat(ratio(lcp, "first-sixth", "before")).isBetween(0.95, 1.4);
        assertThat(ratio(lcp, "middle", "before")).isBetween(1.7, 2.3);
        assertThat(ratio(lcp, "last-sixth", "before")).isBetween(2.4, 3.2);
        assertThat(ratio(lcp, "after", "before")).isBetween(0.8, 1.25);
        assertThat(t.metrics()).isEqualTo(IncidentTruth.LATENCY_METRICS);
    }

    @Test
    void aPartialOutageGivesItsShareOfSessionsAnErrorOnEveryViewInsideTheWindow() {
        IncidentTruth t = truth("old-release-outage");
        // views inside the window (with a margin for batching), per session of the release
        // (event ids: an SDK retry repeats an event under the same id)
        Map<String, Set<String>> viewsInside = new HashMap<>();
        Map<String, Set<String>> incidentErrors = new HashMap<>();
        Set<String> otherReleaseHit = new HashSet<>();
        for (Seen e : events) {
            if (!e.app().equals("shop-web")) continue;
            boolean oldRelease = e.release().equals("shop-web@2.3.0");
            if (e.type().equals("page_view")
                    && oldRelease
                    && e.receivedAt() >= t.startMillis() + MINUTE
                    && e.receivedAt() < t.endMillis() - MINUTE) {
                viewsInside.computeIfAbsent(e.sessionId(), k -> new HashSet<>()).add(e.eventId());
            }
            if (e.type().equals("error") && e.message().contains("canMakePayments")) {
                assertThat(e.receivedAt()).isBetween(t.startMillis(), t.endMillis() + 25 * MINUTE);
                if (!oldRelease) otherReleaseHit.add(e.sessionId());
                incidentErrors
                        .computeIfAbsent(e.sessionId(), k -> new HashSet<>())
                        .add(e.eventId());
            }
        }
        int hit = 0;
        int seen = 0;
        int hitViews = 0;
        int hitErrors = 0;
        for (Map.Entry<String, Set<String>> s : viewsInside.entrySet()) {
            seen++;
            int errors = incidentErrors.getOrDefault(s.getKey(), Set.of()).size();
            if (errors > 0) {
                hit++;
                hitViews += s.getValue().size();
                hitErrors += errors;
            }
        }
        assertThat(otherReleaseHit).isEmpty();
        assertThat(seen).isGreaterThan(150);
        // magnitude 0.3 of ~185 sessions: +-0.034 standard error
        assertThat((double) hit / seen).isBetween(0.2, 0.4);
        // every view of a hit session carries the error (errors also land on the views at the
        // window's edges that the margin leaves out, hence at least)
        assertThat(hitErrors).isGreaterThanOrEqualTo(hitViews);
        assertThat(t.metrics()).isEqualTo(IncidentTruth.ERROR_METRICS);
    }

    @Test
    void theNewKindsDoNotTouchTheRandomStreamWhenNoneIsInForce() throws Exception {
        // The same kinds scheduled after the run's end leave the traffic byte-identical to a run
        // without incidents: existing scenarios and seeds keep their exact traffic.
        String late = INCIDENTS.replaceAll("start: \\d+m", "start: 3h");
        GeneratorConfig none = GeneratedTraffic.shipped().withIncidents(List.of());
        GeneratorConfig after =
                GeneratedTraffic.shipped()
                        .withDuration("1h")
                        .withIncidents(GeneratorConfig.incidentsFromYaml(late, "test"));
        none = none.withDuration("1h");
        TrafficGenerator a = new TrafficGenerator(none, SEED, 0, 4);
        TrafficGenerator b = new TrafficGenerator(after, SEED, 0, 4);
        long n = 0;
        while (a.hasNext()) {
            assertThat(b.hasNext()).isTrue();
            RawBeacon x = a.next();
            RawBeacon y = b.next();
            assertThat(y.receivedAt).isEqualTo(x.receivedAt);
            assertThat(new String(y.payload)).isEqualTo(new String(x.payload));
            n++;
        }
        assertThat(b.hasNext()).isFalse();
        assertThat(n).isGreaterThan(1000);
    }

    @Test
    void eachNewKindNamesItsOwnKeysAndRangesWhenWrong() {
        GeneratorConfig shipped = GeneratedTraffic.shipped();
        assertThatThrownBy(
                        () ->
                                shipped.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                "incidents:\n  - { id: a, kind: api_failure, app:"
                                                        + " shop-web, dimension: route, value: /cart,"
                                                        + " endpoint: 'GET /api/v2/banners',"
                                                        + " start: 1m, duration: 5m, magnitude: 0.5 }\n",
                                                "t")))
                .hasMessageContaining("incidents[0].endpoint: 'GET /api/v2/banners' is not an API")
                .hasMessageContaining("route /cart");
        assertThatThrownBy(
                        () ->
                                shipped.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                "incidents:\n  - { id: a, kind: vital_regression,"
                                                        + " app: shop-web, dimension: browser,"
                                                        + " value: Edge, vital: LCP, start: 1m,"
                                                        + " duration: 5m, magnitude: 2 }\n",
                                                "t")))
                .hasMessageContaining(
                        "incidents[0].vital: 'LCP' cannot regress. Fix: one of [INP, CLS]");
        assertThatThrownBy(
                        () ->
                                shipped.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                "incidents:\n  - { id: a, kind: partial_outage,"
                                                        + " app: shop-web, dimension: route,"
                                                        + " value: /cart, start: 1m, duration: 5m,"
                                                        + " magnitude: 1.5, vital: INP }\n",
                                                "t")))
                .hasMessageContaining("partial_outage acts on whole sessions")
                .hasMessageContaining("incidents[0].magnitude")
                .hasMessageContaining("incidents[0].vital: only for kind vital_regression");
        assertThatThrownBy(
                        () ->
                                shipped.withIncidents(
                                        GeneratorConfig.incidentsFromYaml(
                                                "incidents:\n  - { id: a, kind: latency_drift,"
                                                        + " app: shop-web, dimension: country,"
                                                        + " value: DE, start: 1m, duration: 5m,"
                                                        + " magnitude: 0.5 }\n",
                                                "t")))
                .hasMessageContaining("incidents[0].magnitude");
    }

    private static double ratio(Map<String, List<Double>> v, String a, String b) {
        return GeneratedTraffic.p75(v.get(a)) / GeneratedTraffic.p75(v.get(b));
    }
}
