package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.RumEvents.T0;
import static io.beaconflow.jobs.metrics.RumEvents.fetch;
import static io.beaconflow.jobs.metrics.RumEvents.pageView;
import static io.beaconflow.jobs.metrics.RumEvents.vital;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

class SeriesFanOutTest {
    static List<String> keysOf(RumEvent e) {
        List<SeriesSample> out = new ArrayList<>();
        SeriesFanOut.emit(
                e,
                MetricStageITCase.withEndpoints(new MetricsConfig())
                        .dimensionList()
                        .toArray(new Dimension[0]),
                new ListCollector<>(out));
        List<String> keys = new ArrayList<>();
        for (SeriesSample s : out) {
            keys.add(s.key.replace('\u0000', '|'));
        }
        return keys;
    }

    /**
     * The series every event of {@link RumEvents} goes to (app total, route, release, browser,
     * country, device), followed by {@code more}.
     */
    static List<String> fixtureSeriesAnd(String... more) {
        List<String> keys =
                new ArrayList<>(
                        List.of(
                                "shop|all|*",
                                "shop|route|/products/:id",
                                "shop|release|1.0.0",
                                "shop|browser|Chrome",
                                "shop|country|DE",
                                "shop|device|desktop"));
        keys.addAll(List.of(more));
        return keys;
    }

    @Test
    void anEventGoesToTheAppTotalAndOneSeriesPerDimensionAndExperiment() {
        RumEvent e = pageView(T0, 900);
        Map<String, String> exp = new HashMap<>();
        exp.put("new-checkout", "b");
        exp.put("banner", "control");
        e.experiments = exp;
        assertThat(keysOf(e))
                .containsExactlyElementsOf(
                        fixtureSeriesAnd(
                                "shop|variant|banner=control", "shop|variant|new-checkout=b"));
    }

    private static final Dimension[] DIMENSIONS = {
        Dimension.ROUTE, Dimension.BROWSER, Dimension.COUNTRY, Dimension.DEVICE
    };

    /** Every series of one event marks the same visitor, and an event without one marks none. */
    @Test
    void everySampleOfAnEventCarriesItsSessionsBitAndNoSessionMeansNone() {
        RumEvent e = pageView(T0, 900);
        e.sessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        List<SeriesSample> out = new ArrayList<>();
        SeriesFanOut.emit(e, DIMENSIONS, new ListCollector<>(out));
        assertThat(out).hasSizeGreaterThan(3);
        long bit = io.beaconflow.detectors.evidence.Visitors.bitOf(e.sessionId);
        assertThat(out).allSatisfy(x -> assertThat(1L << x.sessionBit).isEqualTo(bit));

        e.sessionId = null;
        out.clear();
        SeriesFanOut.emit(e, DIMENSIONS, new ListCollector<>(out));
        assertThat(out).allSatisfy(x -> assertThat(x.sessionBit).isEqualTo((byte) -1));
        MetricAccumulator acc = new MetricAccumulator(0.01);
        out.forEach(acc::add);
        assertThat(acc.toAggregate().sessionBits).isNull();
    }

    @Test
    void aFetchGoesToItsEndpointSeriesAndOsAndBrowserVersionAreSeriesToo() {
        RumEvent f = fetch(T0, 404, 40);
        f.endpoint = "GET /cart";
        f.os = "Android";
        f.browserMajor = "Chrome 131";
        assertThat(keysOf(f))
                .containsExactlyElementsOf(
                        fixtureSeriesAnd(
                                "shop|os|Android",
                                "shop|browser_version|Chrome 131",
                                "shop|endpoint|GET /cart"));
        // Every sample of the event carries its outcomes: a 404 is a 4xx and (by default) a
        // failure.
        List<SeriesSample> out = new ArrayList<>();
        SeriesFanOut.emit(f, new Dimension[] {Dimension.ENDPOINT}, new ListCollector<>(out));
        assertThat(out)
                .allMatch(
                        s ->
                                s.outcomes
                                        == (1 << Outcomes.STATUS_4XX
                                                | 1 << Outcomes.FETCH_FAILURE));
        // A page view has no endpoint, even if a field were set by mistake.
        RumEvent pv = pageView(T0, 900);
        pv.endpoint = "GET /cart";
        assertThat(keysOf(pv)).noneMatch(k -> k.contains("|endpoint|"));
    }

    @Test
    void aDimensionWithoutValueGetsNoSeries() {
        RumEvent e = pageView(T0, 900);
        e.country = null;
        e.release = "";
        assertThat(keysOf(e))
                .containsExactly(
                        "shop|all|*",
                        "shop|route|/products/:id",
                        "shop|browser|Chrome",
                        "shop|device|desktop");
    }

    @Test
    void eachEventKindCarriesItsLatencyValueAndTtfbComesFromTheVitalOnly() {
        assertThat(LatencyMetric.of(pageView(T0, 900))).isEqualTo(LatencyMetric.LOAD);
        assertThat(LatencyMetric.of(vital(T0, "TTFB", 90))).isEqualTo(LatencyMetric.TTFB);
        assertThat(LatencyMetric.of(vital(T0, "CLS", 0.0))).isEqualTo(LatencyMetric.CLS);
        assertThat(LatencyMetric.of(fetch(T0, 200, 40))).isEqualTo(LatencyMetric.FETCH);
        assertThat(SeriesFanOut.kindOf(fetch(T0, 0, 40))).isEqualTo(SeriesSample.FAILED_FETCH);
        assertThat(SeriesFanOut.kindOf(fetch(T0, 503, 40))).isEqualTo(SeriesSample.FAILED_FETCH);
        assertThat(SeriesFanOut.kindOf(fetch(T0, 404, 40))).isEqualTo(SeriesSample.FETCH);
    }

    @Test
    void aValueTheSketchesCannotTrackBecomesADeadLetterInsteadOfSamples() throws Exception {
        MetricsConfig config = new MetricsConfig();
        var harness =
                new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<>(
                        new org.apache.flink.streaming.api.operators.ProcessOperator<>(
                                new SeriesFanOut(config)));
        harness.open();
        RumEvent poison = pageView(T0, 1.79e308); // finite; DDSketch throws on it
        poison.app = "shop";
        poison.eventId = "poison";
        harness.processElement(poison, T0);
        harness.processElement(pageView(T0, 800), T0);
        // Only the good event's samples; the poison one is a dead letter naming the stage.
        assertThat(harness.extractOutputValues()).allMatch(s -> s.value == 800.0).isNotEmpty();
        var dead = harness.getSideOutput(io.beaconflow.jobs.ingest.ProcessingErrors.TAG);
        assertThat(dead).hasSize(1);
        var d = dead.peek().getValue();
        assertThat(d.reason).isEqualTo(io.beaconflow.jobs.model.RejectReason.PROCESSING_ERROR);
        assertThat(d.detail).startsWith("metrics: java.lang.IllegalArgumentException");
        assertThat(d.documentId()).isEqualTo("error-metrics-shop-poison");
        harness.close();
    }

    @Test
    void theAccumulatorClampsInsteadOfThrowingOnValuesBeyondTheSketchRange() {
        // Defence in depth behind the decoder limits and the fan-out check: a window aggregate
        // that throws restarts the job on the same record for ever.
        MetricAccumulator acc = new MetricAccumulator(0.01);
        for (double v : new double[] {1.79e308, Double.MAX_VALUE, Double.NaN, -1, 250}) {
            acc.add(new SeriesSample("k", SeriesSample.PAGE_VIEW, 1.0, (byte) 0, v));
        }
        assertThat(acc.samples()).isEqualTo(5);
        assertThat(acc.toAggregate().events).isEqualTo(5.0);
    }
}
