package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.Outcomes.GOOD_RATING;
import static io.beaconflow.jobs.metrics.Outcomes.NEEDS_IMPROVEMENT;
import static io.beaconflow.jobs.metrics.Outcomes.POOR_RATING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutcomesTest {
    private static final boolean[] DEFAULT_FAILING = new MetricsConfig().failingStatuses();

    @Test
    void vitalsAreRatedOnWebDevThresholdsWithTheBoundaryGood() {
        // Good up to and including the first threshold, poor strictly above the second.
        assertThat(Outcomes.rate(LatencyMetric.LCP, 2500)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.LCP, 2500.1)).isEqualTo(NEEDS_IMPROVEMENT);
        assertThat(Outcomes.rate(LatencyMetric.LCP, 4000)).isEqualTo(NEEDS_IMPROVEMENT);
        assertThat(Outcomes.rate(LatencyMetric.LCP, 4001)).isEqualTo(POOR_RATING);
        assertThat(Outcomes.rate(LatencyMetric.INP, 200)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.INP, 500)).isEqualTo(NEEDS_IMPROVEMENT);
        assertThat(Outcomes.rate(LatencyMetric.INP, 501)).isEqualTo(POOR_RATING);
        assertThat(Outcomes.rate(LatencyMetric.CLS, 0.0)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.CLS, 0.1)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.CLS, 0.25)).isEqualTo(NEEDS_IMPROVEMENT);
        assertThat(Outcomes.rate(LatencyMetric.CLS, 0.26)).isEqualTo(POOR_RATING);
        assertThat(Outcomes.rate(LatencyMetric.FCP, 1800)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.FCP, 3000.5)).isEqualTo(POOR_RATING);
        assertThat(Outcomes.rate(LatencyMetric.TTFB, 800)).isEqualTo(GOOD_RATING);
        assertThat(Outcomes.rate(LatencyMetric.TTFB, 1800)).isEqualTo(NEEDS_IMPROVEMENT);
        assertThat(Outcomes.rate(LatencyMetric.TTFB, 1801)).isEqualTo(POOR_RATING);
        assertThat(Outcomes.rate(LatencyMetric.LOAD, 1)).as("load is not a vital").isEqualTo(-1);
        assertThat(Outcomes.rate(LatencyMetric.FETCH, 1)).isEqualTo(-1);
    }

    @Test
    void everyRatingAndApdexZoneHasItsOwnSlot() {
        java.util.Set<Integer> slots = new java.util.HashSet<>();
        for (LatencyMetric m : Outcomes.RATED) {
            for (int r = 0; r < 3; r++) {
                slots.add(Outcomes.ratingSlot(m, r));
            }
        }
        slots.add(Outcomes.APDEX_SATISFIED);
        slots.add(Outcomes.APDEX_TOLERATING);
        slots.add(Outcomes.APDEX_FRUSTRATED);
        slots.add(Outcomes.ROUTE_CHANGE);
        for (int s = Outcomes.STATUS_2XX; s <= Outcomes.FETCH_FAILURE; s++) {
            slots.add(s);
        }
        assertThat(slots).hasSize(Outcomes.SLOTS);
        assertThat(Outcomes.SLOTS).as("fits the int bit mask").isLessThanOrEqualTo(32);
    }

    @Test
    void aFetchCountsInItsStatusClassAndAsAFailureWhenItsStatusIsConfigured() {
        int ok = Outcomes.of(LatencyMetric.FETCH, 40, 204, DEFAULT_FAILING, 2000);
        assertThat(ok).isEqualTo(1 << Outcomes.STATUS_2XX);
        int notFound = Outcomes.of(LatencyMetric.FETCH, 40, 404, DEFAULT_FAILING, 2000);
        assertThat(notFound).isEqualTo(1 << Outcomes.STATUS_4XX | 1 << Outcomes.FETCH_FAILURE);
        int network = Outcomes.of(LatencyMetric.FETCH, 40, 0, DEFAULT_FAILING, 2000);
        assertThat(network).isEqualTo(1 << Outcomes.NETWORK_ERROR | 1 << Outcomes.FETCH_FAILURE);
        assertThat(Outcomes.of(LatencyMetric.FETCH, 40, 304, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.STATUS_3XX);
        // Without a duration the status still counts.
        assertThat(Outcomes.of(null, 0, 503, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.STATUS_5XX | 1 << Outcomes.FETCH_FAILURE);
        // A configuration without 4xx: a 404 is not a failure.
        MetricsConfig c = new MetricsConfig();
        c.fetchFailureStatuses = java.util.List.of("network", "5xx");
        assertThat(Outcomes.of(LatencyMetric.FETCH, 40, 404, c.failingStatuses(), 2000))
                .isEqualTo(1 << Outcomes.STATUS_4XX);
        // A status outside 0-599 is in no class.
        assertThat(Outcomes.of(LatencyMetric.FETCH, 40, 799, DEFAULT_FAILING, 2000)).isZero();
    }

    @Test
    void aPageLoadFallsInOneApdexZone() {
        assertThat(Outcomes.of(LatencyMetric.LOAD, 2000, null, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.APDEX_SATISFIED);
        assertThat(Outcomes.of(LatencyMetric.LOAD, 8000, null, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.APDEX_TOLERATING);
        assertThat(Outcomes.of(LatencyMetric.LOAD, 8001, null, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.APDEX_FRUSTRATED);
        assertThat(Outcomes.of(LatencyMetric.LCP, 8001, null, DEFAULT_FAILING, 2000))
                .isEqualTo(1 << Outcomes.ratingSlot(LatencyMetric.LCP, POOR_RATING));
    }

    @Test
    void theRowHasCountsSharesApdexAndFailureRateFromTheWeightedOutcomes() {
        MetricAccumulator acc = new MetricAccumulator(0.01);
        // LCP: 3 good (one weighted 2), 1 needs improvement, 1 poor -> good share 3/5 by weight.
        double[][] lcp = {{1000, 1}, {2500, 2}, {3000, 1}, {5000, 1}};
        for (double[] v : lcp) {
            acc.add(sample(SeriesSample.OTHER, v[1], LatencyMetric.LCP, v[0], null));
        }
        // Loads: 1 satisfied, 2 tolerating, 1 frustrated -> Apdex (1 + 2/2) / 4 = 0.5.
        for (double v : new double[] {1500, 3000, 7000, 9000}) {
            acc.add(sample(SeriesSample.PAGE_VIEW, 1, LatencyMetric.LOAD, v, null));
        }
        // Fetches: 200, 404, 503, network error -> failure rate 3/4, fetch_error_rate 2/4.
        acc.add(sample(SeriesSample.FETCH, 1, LatencyMetric.FETCH, 30, 200));
        acc.add(sample(SeriesSample.FETCH, 1, LatencyMetric.FETCH, 30, 404));
        acc.add(sample(SeriesSample.FAILED_FETCH, 1, LatencyMetric.FETCH, 30, 503));
        acc.add(sample(SeriesSample.FAILED_FETCH, 1, LatencyMetric.FETCH, 30, 0));

        MetricAggregate row = acc.toAggregate();
        assertThat(row.lcpRatings.good).isEqualTo(3.0);
        assertThat(row.lcpRatings.needsImprovement).isEqualTo(1.0);
        assertThat(row.lcpRatings.poor).isEqualTo(1.0);
        assertThat(row.lcpRatings.goodShare).isEqualTo(0.6);
        assertThat(row.lcpRatings.poorShare).isEqualTo(0.2);
        assertThat(row.value("lcp_good_share")).isEqualTo(0.6);
        assertThat(row.denominator("lcp_good_share")).as("received values").isEqualTo(4.0);
        assertThat(row.inpRatings.goodShare).as("no INP values").isNull();
        assertThat(row.value("inp_poor_share")).isNull();
        assertThat(row.apdexSatisfied).isEqualTo(1.0);
        assertThat(row.apdexTolerating).isEqualTo(2.0);
        assertThat(row.apdexFrustrated).isEqualTo(1.0);
        assertThat(row.apdex).isEqualTo(0.5);
        assertThat(row.value("apdex")).isEqualTo(0.5);
        assertThat(row.fetches2xx).isEqualTo(1.0);
        assertThat(row.fetches4xx).isEqualTo(1.0);
        assertThat(row.fetches5xx).isEqualTo(1.0);
        assertThat(row.fetchesNetworkError).isEqualTo(1.0);
        assertThat(row.fetches3xx).isZero();
        assertThat(row.fetchFailures).isEqualTo(3.0);
        assertThat(row.fetchFailureRate).isEqualTo(0.75);
        assertThat(row.value("fetch_failure_rate")).isEqualTo(0.75);
        assertThat(row.fetchErrorRate).as("the fixed definition is unchanged").isEqualTo(0.5);
        // Received fetches: 4 weighted fetches times the received share (12 samples / 13 events).
        assertThat(row.denominator("fetch_failure_rate")).isEqualTo(4.0 * 12 / 13);
    }

    @Test
    void unknownShareNamesAreRejected() {
        MetricAggregate row = new MetricAggregate();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> row.value("load_good_share"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("good_share");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> row.value("lcp_great_share"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static SeriesSample sample(
            byte kind, double weight, LatencyMetric m, double value, Integer status) {
        return new SeriesSample(
                "k",
                kind,
                weight,
                (byte) m.ordinal(),
                value,
                Outcomes.of(m, value, status, DEFAULT_FAILING, 2000));
    }
}
