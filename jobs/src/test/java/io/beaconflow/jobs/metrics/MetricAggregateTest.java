package io.beaconflow.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.beaconflow.jobs.io.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricAggregateTest {
    static MetricAggregate row() {
        MetricAccumulator acc = new MetricAccumulator(0.01);
        acc.add(
                new SeriesSample(
                        "k",
                        SeriesSample.PAGE_VIEW,
                        4.0,
                        (byte) LatencyMetric.LOAD.ordinal(),
                        1500));
        acc.add(new SeriesSample("k", SeriesSample.JS_ERROR, 1.0, SeriesSample.NO_METRIC, 0));
        acc.add(
                new SeriesSample(
                        "k",
                        SeriesSample.FAILED_FETCH,
                        1.0,
                        (byte) LatencyMetric.FETCH.ordinal(),
                        80));
        acc.add(
                new SeriesSample(
                        "k", SeriesSample.FETCH, 1.0, (byte) LatencyMetric.FETCH.ordinal(), 40));
        acc.add(
                new SeriesSample(
                        "k", SeriesSample.OTHER, 1.0, (byte) LatencyMetric.LCP.ordinal(), 2500));
        MetricAggregate a = acc.toAggregate();
        a.id = "shop|all|*|0";
        return a;
    }

    @Test
    void aSampledAppsRateRestsOnTheViewsReceivedNotOnTheWeightedCount() {
        MetricAccumulator acc = new MetricAccumulator(0.01);
        for (int i = 0; i < 30; i++) {
            acc.add(new SeriesSample("k", SeriesSample.PAGE_VIEW, 4.0, SeriesSample.NO_METRIC, 0));
        }
        for (int i = 0; i < 3; i++) {
            acc.add(new SeriesSample("k", SeriesSample.JS_ERROR, 4.0, SeriesSample.NO_METRIC, 0));
        }
        MetricAggregate a = acc.toAggregate();
        assertThat(a.value("page_views")).isEqualTo(120.0);
        assertThat(a.value("error_rate")).isEqualTo(0.1);
        assertThat(a.denominator("error_rate")).isEqualTo(30.0);
    }

    @Test
    void detectorMetricNamesReadTheRowAndItsDenominator() {
        MetricAggregate a = row();
        assertThat(a.value("page_views")).isEqualTo(4.0);
        assertThat(a.value("events")).isEqualTo(8.0);
        assertThat(a.value("fetches")).isEqualTo(2.0);
        assertThat(a.value("error_rate")).isEqualTo(0.25);
        // Rates rest on what was received: the row's mean sample rate (5 received events of weight
        // 8) times the weighted views. Exact when a series has one sample rate (see below).
        assertThat(a.denominator("error_rate")).isEqualTo(4.0 * 5 / 8);
        assertThat(a.value("fetch_error_rate")).isEqualTo(0.5);
        assertThat(a.denominator("fetch_error_rate")).isEqualTo(2.0 * 5 / 8);
        assertThat(a.value("lcp_p75")).isEqualTo(a.lcp.p75).isBetween(2475.0, 2525.0);
        assertThat(a.denominator("lcp_p75")).isEqualTo(1.0);
        assertThat(a.value("fetch_p95")).isEqualTo(a.fetch.p95);
        assertThat(a.denominator("fetch_p95")).isEqualTo(2.0);
        assertThat(a.value("inp_p99")).as("no INP values").isNull();
        assertThat(a.denominator("inp_p99")).isZero();
        assertThat(a.denominator("page_views")).isNaN();
    }

    @Test
    void anUnknownMetricNameIsRejectedWithTheKnownNames() {
        MetricAggregate a = row();
        assertThatThrownBy(() -> a.value("lcp_p90")).hasMessageContaining("<m>_p50|p75|p95|p99");
        assertThatThrownBy(() -> a.value("speed_p50")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.denominator("p50")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theJsonFieldsAreSnakeCaseAndEmptyPercentilesAreLeftOut() throws Exception {
        JsonNode j = Json.newOutputMapper().valueToTree(row());
        assertThat(j.has("lcp_p75")).isTrue();
        assertThat(j.has("lcp_count")).isTrue();
        assertThat(j.has("error_rate")).isTrue();
        assertThat(j.has("fetch_error_rate")).isTrue();
        assertThat(j.has("page_views")).isTrue();
        assertThat(j.has("window_start")).isTrue();
        assertThat(j.has("update_seq")).isTrue();
        assertThat(j.has("inp_p50")).isFalse();
        assertThat(j.get("inp_count").asLong()).isZero();
    }

    @Test
    void sumsAndPercentilesDoNotDependOnTheOrderOfEventsOrMerges() throws Exception {
        Random rnd = new Random(3);
        List<SeriesSample> samples = new ArrayList<>();
        double[] rates = {1.0, 0.3, 0.7, 0.01, 0.15};
        for (int i = 0; i < 3000; i++) {
            samples.add(
                    new SeriesSample(
                            "k",
                            (byte) rnd.nextInt(5),
                            Weights.ofSampleRate(rates[rnd.nextInt(rates.length)]),
                            (byte) rnd.nextInt(MetricAccumulator.METRICS),
                            Math.exp(rnd.nextGaussian() * 2 + 5)));
        }
        MetricAccumulator inOrder = new MetricAccumulator(0.01);
        samples.forEach(inOrder::add);

        Collections.shuffle(samples, new Random(11));
        MetricAccumulator left = new MetricAccumulator(0.01);
        MetricAccumulator right = new MetricAccumulator(0.01);
        for (int i = 0; i < samples.size(); i++) {
            (i % 3 == 0 ? left : right).add(samples.get(i));
        }
        right.merge(left);

        var mapper = Json.newOutputMapper();
        assertThat(mapper.writeValueAsString(right.toAggregate()))
                .isEqualTo(mapper.writeValueAsString(inOrder.toAggregate()));
        assertThat(right).isEqualTo(inOrder);
    }

    @Test
    void aVeryLongSeriesValueGetsAHashedDocumentIdWithinElasticsearchsLimit() {
        String longRoute = "/" + "segment/".repeat(100);
        String id = SeriesKey.documentId("shop", "route", longRoute, 0);
        assertThat(id).startsWith("shop|route|sha256:").endsWith("|0");
        assertThat(id.length()).isLessThanOrEqualTo(SeriesKey.MAX_ID_BYTES);
        assertThat(SeriesKey.documentId("shop", "route", longRoute, 0)).isEqualTo(id);
    }
}
