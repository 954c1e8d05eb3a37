package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.generator.IncidentTruth;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentMatcherTest {
    static final long M = 60_000;
    static final Duration W = Duration.ofMinutes(1);

    static IncidentTruth truth(
            String id, String dim, String value, String release, int start, int end) {
        return new IncidentTruth(
                id,
                "latency_regression",
                "shop",
                dim,
                value,
                release,
                3,
                List.of(),
                start * M,
                end * M);
    }

    static Alert alert(
            String id, String dim, String value, int opened, Integer resolved, String... hints) {
        Alert a = new Alert();
        a.alertId = id;
        a.app = "shop";
        a.dimension = dim;
        a.dimensionValue = value;
        a.series = "shop|" + dim + "|" + value;
        a.metric = "lcp_p75";
        a.kind = "sustained";
        a.severity = "warning";
        a.openedAt = opened * M;
        a.resolvedAt = resolved == null ? null : resolved * M;
        a.rootCauseHints = List.of(hints);
        return a;
    }

    @Test
    void aRouteTemplateMatchesTheNormalizedRouteAndTheDelayIsInWindows() {
        var r =
                IncidentMatcher.match(
                        List.of(truth("slow-product", "route", "/product/{id}", null, 30, 70)),
                        List.of(alert("a1", "route", "/product/:id", 32, 74)),
                        W,
                        Duration.ofMinutes(5));
        assertThat(r.rows())
                .singleElement()
                .satisfies(
                        row -> {
                            assertThat(row.alertCount()).isEqualTo(1);
                            assertThat(row.delayWindows()).isEqualTo(2.0);
                        });
        assertThat(r.unmatched()).isEmpty();
        assertThat(IncidentMatcher.table(r))
                .contains("slow-product")
                .contains("yes")
                .contains("2w");
    }

    @Test
    void anAppTotalAlertMatchesByItsHintAndAnUnrelatedOneIsAFalseAlert() {
        var r =
                IncidentMatcher.match(
                        List.of(truth("safari", "browser", "Safari", null, 50, 70)),
                        List.of(
                                alert(
                                        "a1",
                                        "all",
                                        "*",
                                        52,
                                        73,
                                        "browser=Safari carries 90% of the extra error_rate (22% of its volume)"),
                                alert("a2", "route", "/cart", 55, 60),
                                alert("a3", "all", "*", 200, 203)),
                        W,
                        Duration.ofMinutes(5));
        assertThat(r.rows().get(0).alert().alertId).isEqualTo("a1");
        assertThat(r.unmatched()).extracting(a -> a.alertId).containsExactly("a2", "a3");
    }

    @Test
    void theLatestVersionOfEachAlertIsUsed() {
        Alert open = alert("a1", "all", "*", 52, null);
        Alert resolved = alert("a1", "all", "*", 52, 80);
        resolved.updateSeq = 3;
        assertThat(IncidentMatcher.latest(List.of(resolved, open)))
                .singleElement()
                .isSameAs(resolved);
    }

    @Test
    void routeTemplatesMatchOneSegmentPerPlaceholder() {
        assertThat(
                        IncidentMatcher.routePattern("/order/{uuid}/confirmation")
                                .matcher("/order/:uuid/confirmation")
                                .matches())
                .isTrue();
        assertThat(
                        IncidentMatcher.routePattern("/product/{id}")
                                .matcher("/product/:id/reviews")
                                .matches())
                .isFalse();
    }

    @Test
    void aBrowserIncidentIsNamedByTheSeriesOfTheNameItsUserAgentParsesTo() {
        // The generator's "Samsung Internet" sends SamsungBrowser/29.0 user agents; the job's
        // series is browser=SamsungBrowser. Chrome's series does not name it.
        assertThat(
                        IncidentMatcher.matches(
                                "browser", "Samsung Internet", "browser", "SamsungBrowser"))
                .isTrue();
        assertThat(IncidentMatcher.matches("browser", "Samsung Internet", "browser", "Chrome"))
                .isFalse();
        assertThat(IncidentMatcher.matches("browser", "Edge", "browser", "Edge")).isTrue();
        assertThat(IncidentMatcher.matches("browser", "Samsung Internet", "os", "SamsungBrowser"))
                .isFalse();
    }

    static IncidentTruth ofKind(String kind, List<String> metrics) {
        return new IncidentTruth(
                "i", kind, "shop", "browser", "Edge", null, 2, metrics, 30 * M, 60 * M);
    }

    static boolean matchedBy(IncidentTruth t, String metric) {
        Alert a = alert("a1", "browser", "Edge", 35, 50);
        a.metric = metric;
        return IncidentMatcher.match(List.of(t), List.of(a), W, Duration.ofMinutes(5))
                .rows()
                .get(0)
                .alerted();
    }

    @Test
    void eachNewIncidentKindIsMatchedOnlyByTheMetricsItMoves() {
        IncidentTruth api =
                ofKind(
                        "api_failure",
                        List.of("fetch.status", "fetch.error_rate", "fetch.endpoint=GET /x"));
        assertThat(matchedBy(api, "fetch_error_rate")).isTrue();
        assertThat(matchedBy(api, "error_rate")).isFalse();
        assertThat(matchedBy(api, "fetch_p95")).isFalse();

        IncidentTruth inp = ofKind("vital_regression", List.of("web_vital.INP"));
        assertThat(matchedBy(inp, "inp_p75")).isTrue();
        assertThat(matchedBy(inp, "cls_p75")).isFalse();
        assertThat(matchedBy(inp, "lcp_p75")).isFalse();
        IncidentTruth cls = ofKind("vital_regression", List.of("web_vital.CLS"));
        assertThat(matchedBy(cls, "cls_p75")).isTrue();
        assertThat(matchedBy(cls, "inp_p75")).isFalse();

        IncidentTruth drift = ofKind("latency_drift", IncidentTruth.LATENCY_METRICS);
        assertThat(matchedBy(drift, "lcp_p75")).isTrue();
        assertThat(matchedBy(drift, "fetch_p95")).isTrue();
        assertThat(matchedBy(drift, "page_views")).isFalse();

        // A segment's share of its app's page views is its traffic, judged against its app.
        IncidentTruth drop = ofKind("traffic_drop", List.of());
        assertThat(matchedBy(drop, "page_view_share")).isTrue();
        assertThat(matchedBy(drop, "page_views")).isTrue();
        assertThat(matchedBy(drop, "lcp_p75")).isFalse();
        assertThat(matchedBy(drift, "page_view_share")).isFalse();

        IncidentTruth outage = ofKind("partial_outage", IncidentTruth.ERROR_METRICS);
        assertThat(matchedBy(outage, "error_rate")).isTrue();
        assertThat(matchedBy(outage, "fetch_error_rate")).isFalse();
        assertThat(matchedBy(outage, "page_views")).isFalse();
        assertThat(matchedBy(outage, "page_view_share")).isFalse();
        IncidentTruth slowBackend =
                ofKind(
                        "backend_slow",
                        List.of(
                                "fetch.duration_ms",
                                IncidentTruth.SERVER_METRIC,
                                "fetch.endpoint=GET /x"));
        assertThat(matchedBy(slowBackend, "fetch_p95")).isTrue();
        assertThat(matchedBy(slowBackend, "fetch_p99")).isTrue();
        assertThat(matchedBy(slowBackend, "lcp_p75")).isFalse();
        assertThat(matchedBy(slowBackend, "fetch_failure_rate")).isFalse();
    }

    @Test
    void anApiFailureIsNamedByItsEndpointSeriesAndItsNewMetrics() {
        IncidentTruth api =
                new IncidentTruth(
                        "api",
                        "api_failure",
                        "shop",
                        "route",
                        "/product/{id}",
                        null,
                        2,
                        List.of(
                                "fetch.error_rate",
                                "fetch.endpoint=GET /api/v2/products/{id}/reviews?page=1"),
                        30 * M,
                        60 * M);
        assertThat(
                        matchedBy(
                                ofKind("api_failure", List.of("fetch.endpoint=GET /x")),
                                "fetch_failure_rate"))
                .isTrue();
        // An endpoint series is specific: the job drops the query and templates the id.
        assertThat(
                        IncidentMatcher.namesEndpoint(
                                api, "endpoint", "GET /api/v2/products/:id/reviews"))
                .isTrue();
        assertThat(IncidentMatcher.namesEndpoint(api, "endpoint", "GET /api/v2/products/:id"))
                .isFalse();
        assertThat(
                        IncidentMatcher.namesEndpoint(
                                api, "endpoint", "POST /api/v2/products/:id/reviews"))
                .isFalse();
        Alert onEndpoint = alert("e1", "endpoint", "GET /api/v2/products/:id/reviews", 35, 50);
        onEndpoint.metric = "fetch_failure_rate";
        Alert otherEndpoint = alert("e2", "endpoint", "GET /api/v2/stock/:id", 35, 50);
        otherEndpoint.metric = "fetch_failure_rate";
        var r =
                IncidentMatcher.match(
                        List.of(api), List.of(onEndpoint, otherEndpoint), W, Duration.ofMinutes(5));
        assertThat(r.rows().get(0).alert().alertId).isEqualTo("e1");
        assertThat(r.unmatched()).extracting(a -> a.alertId).containsExactly("e2");
        // A root-cause hint naming the endpoint (its value has a space) names it too.
        Alert hinted =
                alert(
                        "h1",
                        "browser",
                        "Edge",
                        35,
                        50,
                        "endpoint=GET /api/v2/products/:id/reviews carries 91% of the extra"
                                + " fetch_failure_rate (12% of its volume)");
        hinted.metric = "fetch_failure_rate";
        assertThat(IncidentMatcher.names(hinted, api)).isTrue();
        hinted.rootCauseHints =
                List.of("endpoint=GET /api/v2/stock/:id carries 91% of the extra x (1% of it)");
        assertThat(IncidentMatcher.names(hinted, api)).isFalse();
    }

    @Test
    void goodSharesCountForTheVitalOrLatencyIncidentThatPullsThemDown() {
        IncidentTruth inp = ofKind("vital_regression", List.of("web_vital.INP"));
        assertThat(matchedBy(inp, "inp_good_share")).isTrue();
        assertThat(matchedBy(inp, "lcp_good_share")).isFalse();
        IncidentTruth drift = ofKind("latency_drift", IncidentTruth.LATENCY_METRICS);
        assertThat(matchedBy(drift, "lcp_good_share")).isTrue();
        assertThat(matchedBy(drift, "fetch_failure_rate")).isFalse();
    }
}
