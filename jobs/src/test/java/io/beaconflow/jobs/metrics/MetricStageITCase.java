package io.beaconflow.jobs.metrics;

import static io.beaconflow.jobs.metrics.RumEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.io.Json;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.MiniClusters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A few thousand generated events through {@link MetricStage} on a MiniCluster at parallelism 2,
 * with generic types disabled (any Kryo fallback fails the job). Every row is checked against a
 * straightforward computation over the same events: exact weighted counts, percentiles within the
 * sketch's relative accuracy of the exact weighted percentile; and a second run, and a run without
 * the pre-aggregation, must give the same documents byte for byte.
 */
class MetricStageITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int EVENTS = 6000;
    private static final long STEP_MS = 100; // 10 minutes of event time
    private static final long WINDOW = 60_000;

    static final class Run {
        final List<MetricAggregate> rows = new ArrayList<>();
        long botsExcluded;
    }

    /**
     * The default dimensions, endpoint included (it was opt-in until endpoint templates were
     * learned in event time; the tests that added it keep calling this).
     */
    static MetricsConfig withEndpoints(MetricsConfig config) {
        config.dimensions = new java.util.ArrayList<>(MetricsConfig.DEFAULT_DIMENSIONS);
        assertThat(config.dimensions).as("endpoint is a default dimension").contains("endpoint");
        return config;
    }

    static Run run(List<RumEvent> events, MetricsConfig config) throws Exception {
        StreamExecutionEnvironment env = MiniClusters.environment(2);
        DataStream<RumEvent> source =
                env.fromData(events, TypeInformation.of(RumEvent.class))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<RumEvent>forBoundedOutOfOrderness(
                                                Duration.ofMillis(
                                                        MetricEventGenerator.MAX_DISORDER_MS))
                                        .withTimestampAssigner((e, ts) -> e.eventTime));
        CloseableIterator<MetricAggregate> it = MetricStage.apply(source, config).collectAsync();
        JobClient job = env.executeAsync("metrics-itcase");
        Run run = new Run();
        while (it.hasNext()) {
            run.rows.add(it.next());
        }
        it.close();
        JobExecutionResult result = job.getJobExecutionResult().get();
        Long bots = result.getAccumulatorResult(SeriesFanOut.ACC_BOTS_EXCLUDED);
        run.botsExcluded = bots == null ? 0 : bots;
        return run;
    }

    @Test
    void everyAggregateMatchesAStraightforwardComputationAndAReplayGivesTheSameDocuments()
            throws Exception {
        List<RumEvent> events = MetricEventGenerator.generate(5, EVENTS, T0, STEP_MS);
        MetricsConfig config = withEndpoints(new MetricsConfig());

        Run run = run(events, config);
        Map<String, Expected> expected = expected(events, config.sketchRelativeAccuracy);

        assertThat(run.botsExcluded)
                .isEqualTo(events.stream().filter(e -> e.bot).count())
                .isPositive();
        assertThat(run.rows).allMatch(r -> r.updateSeq == 0, "no late firing: nothing was late");
        assertThat(run.rows).extracting(r -> r.id).doesNotHaveDuplicates();
        assertThat(run.rows)
                .extracting(r -> r.id)
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(expected.keySet())
                .as("every dimension has series")
                .anyMatch(k -> k.startsWith("shop|variant|checkout="))
                .anyMatch(k -> k.startsWith("blog|device|"))
                .anyMatch(k -> k.startsWith("shop|endpoint|POST /api/cart/:id/items|"))
                .anyMatch(k -> k.startsWith("shop|os|iOS|"))
                .anyMatch(k -> k.startsWith("blog|browser_version|Chrome 131|"));

        int percentilesChecked = 0;
        for (MetricAggregate row : run.rows) {
            Expected x = expected.get(row.id);
            assertThat(row.windowEnd - row.windowStart).isEqualTo(WINDOW);
            assertThat(row.pageViews).as(row.id).isEqualTo(x.pageViews);
            assertThat(row.events).as(row.id).isEqualTo(x.events);
            assertThat(row.fetches).as(row.id).isEqualTo(x.fetches);
            assertThat(row.failedFetches).as(row.id).isEqualTo(x.failedFetches);
            assertThat(row.jsErrors).as(row.id).isEqualTo(x.jsErrors);
            assertThat(row.samples).as(row.id).isEqualTo(x.samples);
            assertThat(row.errorRate).isEqualTo(x.pageViews > 0 ? x.jsErrors / x.pageViews : null);
            assertThat(row.fetchErrorRate)
                    .isEqualTo(x.fetches > 0 ? x.failedFetches / x.fetches : null);
            assertOutcomes(row, x);
            for (LatencyMetric m : LatencyMetric.values()) {
                List<double[]> values = x.values.getOrDefault(m, List.of());
                assertThat(row.count(m)).as(row.id + " " + m).isEqualTo(values.size());
                for (int q = 0; q < 4; q++) {
                    Double actual = row.percentile(m, q);
                    if (values.isEmpty()) {
                        assertThat(actual).isNull();
                        continue;
                    }
                    double exact = weightedQuantile(values, MetricAggregate.QUANTILES[q]);
                    assertThat(Math.abs(actual - exact))
                            .as(
                                    "%s %s p%s: sketch %s, exact %s",
                                    row.id, m, MetricAggregate.QUANTILES[q], actual, exact)
                            .isLessThanOrEqualTo(config.sketchRelativeAccuracy * exact + 1e-12);
                    percentilesChecked++;
                }
            }
        }
        assertThat(percentilesChecked).isGreaterThan(1000);
        assertThat(run.rows)
                .as("endpoint rows hold fetches only")
                .filteredOn(r -> r.dimension.equals("endpoint"))
                .isNotEmpty()
                .allMatch(r -> r.events == r.fetches && r.pageViews == 0 && r.lcp.count == 0);

        // A replay gives the same documents, and so does the one-phase path.
        assertThat(config.preAggregate).isTrue();
        Run replay = run(events, config);
        assertThat(json(replay.rows)).isEqualTo(json(run.rows));
        MetricsConfig onePhase = withEndpoints(new MetricsConfig());
        onePhase.preAggregate = false;
        assertThat(json(run(events, onePhase).rows)).isEqualTo(json(run.rows));
    }

    /**
     * The value DDSketch's quantile q approximates with weights: the smallest value whose
     * cumulative weight (values sorted ascending) exceeds q × (total weight − 1). Unweighted, that
     * is the value at rank ⌊q·(n−1)⌋.
     */
    static double weightedQuantile(List<double[]> valueAndWeight, double q) {
        List<double[]> sorted = new ArrayList<>(valueAndWeight);
        sorted.sort(Comparator.comparingDouble(v -> v[0]));
        double total = 0;
        for (double[] v : sorted) {
            total += v[1];
        }
        double rank = q * (total - 1);
        double cumulative = 0;
        for (double[] v : sorted) {
            cumulative += v[1];
            if (cumulative > rank) {
                return v[0];
            }
        }
        return sorted.get(sorted.size() - 1)[0];
    }

    /** Outcome counts: exact sums, so shares and rates are compared exactly too. */
    static void assertOutcomes(MetricAggregate row, Expected x) {
        double[] o = x.outcomes;
        assertThat(new double[] {row.fetches2xx, row.fetches3xx, row.fetches4xx, row.fetches5xx})
                .as(row.id)
                .containsExactly(o[0], o[1], o[2], o[3]);
        assertThat(row.fetchesNetworkError).as(row.id).isEqualTo(o[4]);
        assertThat(row.fetchFailures).as(row.id).isEqualTo(o[5]);
        assertThat(row.fetchFailureRate).isEqualTo(x.fetches > 0 ? o[5] / x.fetches : null);
        String[] vitals = {"LCP", "INP", "CLS", "FCP", "TTFB"};
        for (int v = 0; v < vitals.length; v++) {
            double good = o[6 + 3 * v];
            double ni = o[7 + 3 * v];
            double poor = o[8 + 3 * v];
            String name = vitals[v].toLowerCase(java.util.Locale.ROOT);
            double rated = good + ni + poor;
            assertThat(row.value(name + "_good_share"))
                    .as(row.id + " " + name)
                    .isEqualTo(rated > 0 ? good / rated : null);
            assertThat(row.value(name + "_poor_share")).isEqualTo(rated > 0 ? poor / rated : null);
            assertThat(row.value(name + "_needs_improvement_share"))
                    .isEqualTo(rated > 0 ? ni / rated : null);
        }
        assertThat(
                        new double[] {
                            row.lcpRatings.good,
                            row.lcpRatings.needsImprovement,
                            row.lcpRatings.poor
                        })
                .containsExactly(o[6], o[7], o[8]);
        assertThat(new double[] {row.apdexSatisfied, row.apdexTolerating, row.apdexFrustrated})
                .as(row.id)
                .containsExactly(o[21], o[22], o[23]);
        double loads = o[21] + o[22] + o[23];
        assertThat(row.apdex).isEqualTo(loads > 0 ? (o[21] + o[22] / 2) / loads : null);
    }

    /**
     * web.dev's thresholds (good ≤ first, poor > second), written out here rather than read from
     * the stage's classes, in the order LCP, INP, CLS, FCP, TTFB.
     */
    private static final double[][] THRESHOLDS = {
        {2500, 4000}, {200, 500}, {0.1, 0.25}, {1800, 3000}, {800, 1800}
    };

    private static final List<String> RATED = List.of("LCP", "INP", "CLS", "FCP", "TTFB");

    static final class Expected {
        /**
         * 2xx, 3xx, 4xx, 5xx, network, failures (network, 4xx, 5xx: the default), then good / needs
         * improvement / poor per rated vital, then Apdex satisfied / tolerating / frustrated with T
         * = 2 s.
         */
        final double[] outcomes = new double[24];

        double pageViews;
        double events;
        double fetches;
        double failedFetches;
        double jsErrors;
        long samples;
        final Map<LatencyMetric, List<double[]>> values = new HashMap<>();
    }

    /** Straight from the event fields, without the stage's classes. */
    static Map<String, Expected> expected(List<RumEvent> events, double alpha) {
        Map<String, Expected> out = new TreeMap<>();
        for (RumEvent e : events) {
            if (e.bot) {
                continue;
            }
            long start = Math.floorDiv(e.eventTime, WINDOW) * WINDOW;
            List<String> series = new ArrayList<>();
            series.add("all|*");
            series.add("route|" + e.route);
            series.add("release|" + e.release);
            series.add("browser|" + e.browser);
            if (e.country != null) {
                series.add("country|" + e.country);
            }
            series.add("device|" + e.deviceType);
            if (e.experiments != null) {
                e.experiments.forEach((k, v) -> series.add("variant|" + k + "=" + v));
            }
            if (e.os != null) {
                series.add("os|" + e.os);
            }
            if (e.browserMajor != null) {
                series.add("browser_version|" + e.browserMajor);
            }
            if (e.type == EventType.FETCH && e.endpoint != null) {
                series.add("endpoint|" + e.endpoint);
            }
            double w = 1.0 / e.sampleRate;
            for (String s : series) {
                Expected x =
                        out.computeIfAbsent(e.app + "|" + s + "|" + start, k -> new Expected());
                x.samples++;
                x.events += w;
                if (e.type == EventType.PAGE_VIEW) {
                    x.pageViews += w;
                    if (e.loadMs != null) {
                        add(x, LatencyMetric.LOAD, e.loadMs, w);
                        int zone = e.loadMs <= 2000 ? 0 : e.loadMs <= 8000 ? 1 : 2;
                        x.outcomes[21 + zone] += w;
                    }
                } else if (e.type == EventType.FETCH) {
                    x.fetches += w;
                    int status = e.fetchStatus;
                    if (status == 0 || status >= 500) {
                        x.failedFetches += w;
                    }
                    if (status == 0) {
                        x.outcomes[4] += w;
                    } else {
                        x.outcomes[status / 100 - 2] += w;
                    }
                    if (status == 0 || status >= 400) {
                        x.outcomes[5] += w;
                    }
                    add(x, LatencyMetric.FETCH, e.fetchDurationMs, w);
                } else if (e.type == EventType.ERROR) {
                    x.jsErrors += w;
                } else if (e.type == EventType.WEB_VITAL) {
                    add(x, LatencyMetric.valueOf(e.vitalName), e.vitalValue, w);
                    int v = RATED.indexOf(e.vitalName);
                    double[] t = THRESHOLDS[v];
                    int rating = e.vitalValue <= t[0] ? 0 : e.vitalValue <= t[1] ? 1 : 2;
                    x.outcomes[6 + 3 * v + rating] += w;
                }
            }
        }
        return out;
    }

    private static void add(Expected x, LatencyMetric m, double value, double weight) {
        x.values.computeIfAbsent(m, k -> new ArrayList<>()).add(new double[] {value, weight});
    }

    static List<String> json(List<MetricAggregate> rows) throws Exception {
        ObjectMapper mapper = Json.newOutputMapper();
        List<String> out = new ArrayList<>();
        for (MetricAggregate r : rows) {
            out.add(mapper.writeValueAsString(r));
        }
        out.sort(null);
        return out;
    }
}
