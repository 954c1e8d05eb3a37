package io.beaconflow.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

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
}
