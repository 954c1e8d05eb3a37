package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.detection.Rows.MINUTE;
import static io.beaconflow.jobs.detection.Rows.SPECS;
import static io.beaconflow.jobs.detection.Rows.normalRate;
import static io.beaconflow.jobs.detection.Rows.normalViews;
import static io.beaconflow.jobs.detection.Rows.row;
import static io.beaconflow.jobs.detection.Rows.total;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.DetectorState;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.alerts.IncidentState;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DetectorFunctionTest {
    static final Duration LATENESS = Duration.ofMinutes(5);

    static KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
            harness(String specs) throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new DetectorFunction(
                                Rows.specs(specs, 0), LATENESS, DetectorFunction.DEFAULT_IDLE_TTL),
                        new DetectionStage.RowKey(),
                        Types.STRING,
                        SpecBroadcast.DESCRIPTOR);
        return h;
    }

    /** A harness that is not opened yet, for restoring a snapshot. */
    static KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
            unopened(String specs) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new DetectorFunction(
                                Rows.specs(specs, 0), LATENESS, DetectorFunction.DEFAULT_IDLE_TTL),
                        List.of(SpecBroadcast.DESCRIPTOR)),
                new DetectionStage.RowKey(),
                Types.STRING,
                1,
                1,
                0);
    }

    static DetectorFunction function(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        return (DetectorFunction)
                ((AbstractUdfStreamOperator<?, ?>) h.getOperator()).getUserFunction();
    }

    static void feed(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h,
            MetricAggregate row)
            throws Exception {
        h.processElement(row, row.windowEnd - 1);
    }

    /**
     * Feeds each of {@code harnesses} the shop's app totals of minutes 0 to {@code minutes - 1}, at
     * a normal volume and error rate: a detector warmed up on them.
     */
    @SafeVarargs
    static void feedNormalMinutes(
            int minutes,
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                            ...
                    harnesses)
            throws Exception {
        for (int i = 0; i < minutes; i++) {
            for (var h : harnesses) feed(h, total("shop", i, normalViews(i), normalRate(i)));
        }
    }

    static List<AnomalySignal> signals(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h,
            String metric) {
        return h.getSideOutput(DetectorFunction.SIGNALS).stream()
                .map(StreamRecord::getValue)
                .filter(s -> s.metric.equals(metric))
                .collect(Collectors.toList());
    }

    static ScoredAggregate last(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        List<ScoredAggregate> out = h.extractOutputValues();
        return out.get(out.size() - 1);
    }

    @Test
    void aJumpInTheErrorRateIsScoredAnomalousWithItsBandAndEveryPointGivesASignal()
            throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        feed(h, total("shop", 20, 1000, 0.08));

        ScoredAggregate jump = last(h);
        MetricScore s = jump.scores.get("error_rate");
        assertThat(s.anomaly).isTrue();
        assertThat(s.baseline).isEqualTo("ewma");
        assertThat(s.expected).isBetween(0.018, 0.022);
        assertThat(s.upper).isBetween(s.expected, 0.08);
        assertThat(s.direction).isEqualTo("up");
        assertThat(jump.scores.get("page_views").anomaly).isFalse();
        assertThat(jump.pageViews).isEqualTo(1000);
        assertThat(jump.id).isEqualTo("shop|all|*|" + jump.windowStart);

        List<AnomalySignal> errors = signals(h, "error_rate");
        assertThat(errors).hasSize(21);
        assertThat(errors).filteredOn(x -> x.anomaly).hasSize(1);
        AnomalySignal signal = errors.get(20);
        assertThat(signal.series).isEqualTo("shop|all|*");
        assertThat(signal.metricKind).isEqualTo("error_rate");
        assertThat(signal.windowEnd - signal.windowStart).isEqualTo(MINUTE);
        assertThat(h.getSideOutput(DetectorFunction.SIGNALS).peek().getTimestamp())
                .isEqualTo(Rows.T0 + MINUTE - 1);
    }

    @Test
    void aLateUpdateOfAWindowKeepsItsFirstScoresAndDoesNotFeedTheDetectorAgain() throws Exception {
        var withLate = harness(SPECS);
        var without = harness(SPECS);
        feedNormalMinutes(15, withLate, without);
        MetricAggregate late = total("shop", 14, 1200, 0.5);
        late.updateSeq = 1;
        feed(withLate, late);
        ScoredAggregate lateOut = last(withLate);
        assertThat(lateOut.updateSeq).isEqualTo(1);
        assertThat(lateOut.errorRate).isEqualTo(0.5);
        assertThat(lateOut.scores)
                .as("the late row carries the scores of the first firing")
                .containsOnlyKeys("error_rate", "page_views");
        assertThat(lateOut.scores.get("error_rate").value).isEqualTo(normalRate(14));
        assertThat(signals(withLate, "error_rate")).hasSize(15);

        feed(withLate, total("shop", 15, normalViews(15), normalRate(15)));
        feed(without, total("shop", 15, normalViews(15), normalRate(15)));
        assertThat(last(withLate).scores.get("error_rate").expected)
                .as("the baseline never saw the late value")
                .isEqualTo(last(without).scores.get("error_rate").expected);
    }

    @Test
    void aSeriesIdleForAWeekLosesItsStateAndItsTimers() throws Exception {
        var h = harness(SPECS);
        for (int i = 0; i < 12; i++) {
            feed(h, total("shop", i, normalViews(i), normalRate(i)));
        }
        assertThat(last(h).scores.get("error_rate").baseline).isEqualTo("ewma");
        assertThat(h.numEventTimeTimers()).isPositive();

        long lastEnd = Rows.T0 + 12 * MINUTE;
        h.processWatermark(lastEnd + Duration.ofDays(7).toMillis());
        assertThat(h.numEventTimeTimers())
                .as("a control input without watermarks holds every timer back")
                .isPositive();
        h.processBroadcastWatermark(Long.MAX_VALUE);
        assertThat(h.numEventTimeTimers()).isZero();

        int later = 12 + (int) Duration.ofDays(7).toMinutes() + 1;
        feed(h, total("shop", later, 1000, 0.02));
        assertThat(last(h).scores.get("error_rate").baseline)
                .as("the baseline starts over")
                .isEqualTo("none");
    }

    static KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
            zeroFilling(String specs, int windows) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new DetectorFunction(
                        Rows.specs(specs, 0),
                        LATENESS,
                        DetectorFunction.DEFAULT_IDLE_TTL,
                        Duration.ofMinutes(1),
                        windows),
                new DetectionStage.RowKey(),
                Types.STRING,
                SpecBroadcast.DESCRIPTOR);
    }

    /**
     * A harness with zero-fill over 10 windows, fed minutes 0 to {@code minutes - 1} of a steady
     * Edge series, each followed by the watermark that closes it.
     */
    static KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
            steadyEdge(int minutes) throws Exception {
        var h = zeroFilling(SPECS, 10);
        h.processBroadcastWatermark(Long.MAX_VALUE);
        for (int i = 0; i < minutes; i++) {
            feed(h, row("shop", "browser", "Edge", i, normalViews(i), normalRate(i)));
            h.processWatermark(Rows.T0 + (i + 1) * MINUTE - 1);
        }
        return h;
    }

    @Test
    void aSegmentWhoseTrafficStopsIsScoredAsZeroPageViewsAndAlertsInsteadOfGoingSilent()
            throws Exception {
        var h = steadyEdge(15);
        int rows = h.extractOutputValues().size();
        // No row comes for minutes 15 onwards: the browser is cut off. A window is decided empty
        // once late events cannot fill it any more: at its end plus the allowed lateness.
        h.processWatermark(Rows.T0 + 21 * MINUTE - 1);
        assertThat(signals(h, "page_views")).as("minute 15 may still be filled").hasSize(15);
        h.processWatermark(Rows.T0 + 22 * MINUTE);
        List<AnomalySignal> views = signals(h, "page_views");
        assertThat(views).hasSize(17);
        AnomalySignal gap = views.get(15);
        assertThat(gap.windowStart).isEqualTo(Rows.T0 + 15 * MINUTE);
        assertThat(gap.series).isEqualTo("shop|browser|Edge");
        assertThat(gap.observed).isZero();
        assertThat(gap.anomaly).isTrue();
        assertThat(views.get(16).anomaly).isTrue();
        assertThat(signals(h, "error_rate")).as("an empty window has no error rate").hasSize(15);
        assertThat(h.extractOutputValues()).as("no document for an empty window").hasSize(rows);

        // The checks stop 10 windows after the last row; the idle TTL clears the rest.
        h.processWatermark(Rows.T0 + 60 * MINUTE);
        assertThat(signals(h, "page_views")).hasSize(25);
        assertThat(h.numEventTimeTimers()).as("no decision pending while idle").isOne();
        h.processWatermark(Rows.T0 + 15 * MINUTE + Duration.ofDays(7).toMillis());
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(stateEntries(h)).isZero();
    }

    @Test
    void withZeroFillOnAWindowsKeptScoresStillExpireAfterTheAllowedLateness() throws Exception {
        var h = steadyEdge(60);
        var backend = h.getOperator().<String>getKeyedStateBackend();
        backend.setCurrentKey("shop\0browser\0Edge");
        var kept =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        KeyedStates.mapDescriptor(
                                "detector-recent-scores",
                                Long.class,
                                DetectorFunction.WindowScores.class));
        List<Long> minutes = new java.util.ArrayList<>();
        for (Long w : kept.keys()) minutes.add((w - Rows.T0) / MINUTE);
        minutes.sort(null);
        // The allowed lateness is 5 minutes: windows 54-59 are still open to late updates.
        assertThat(minutes).containsExactly(54L, 55L, 56L, 57L, 58L, 59L);
    }

    @Test
    void theEndOfABoundedInputIsNotScoredAsEveryoneLeaving() throws Exception {
        var h = steadyEdge(15);
        h.processWatermark(Long.MAX_VALUE);
        assertThat(signals(h, "page_views")).hasSize(15);
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void aRowAfterAGapResumesTheSeriesWithoutScoringItsWindowTwice() throws Exception {
        var h = zeroFilling(SPECS, 10);
        h.processBroadcastWatermark(Long.MAX_VALUE);
        for (int i = 0; i < 15; i++) {
            feed(h, row("shop", "browser", "Edge", i, normalViews(i), normalRate(i)));
        }
        h.processWatermark(Rows.T0 + 17 * MINUTE);
        feed(h, row("shop", "browser", "Edge", 17, 1000, 0.02));
        h.processWatermark(Rows.T0 + 18 * MINUTE);
        assertThat(signals(h, "page_views")).as("17 waits for 15 and 16").hasSize(15);
        h.processWatermark(Rows.T0 + 22 * MINUTE);
        List<AnomalySignal> views = signals(h, "page_views");
        assertThat(views)
                .extracting(v -> (v.windowStart - Rows.T0) / MINUTE)
                .containsExactly(
                        0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L,
                        17L);
        assertThat(views.get(17).observed).isEqualTo(1000);
    }

    /** Keyed state entries left in the harness's heap backend, of every state of every key. */
    static int stateEntries(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** Minutes 0-14 of a steady Edge series, each scored as its window closes. */
    private static KeyedBroadcastOperatorTestHarness<
                    String, MetricAggregate, SpecUpdate, ScoredAggregate>
            edgeForFifteenMinutes() throws Exception {
        var h = zeroFilling(SPECS, 10);
        h.processBroadcastWatermark(Long.MAX_VALUE);
        for (int i = 0; i < 15; i++) {
            feed(h, row("shop", "browser", "Edge", i, normalViews(i), normalRate(i)));
            assertThat(h.extractOutputValues())
                    .as("a row after its predecessor: at once")
                    .hasSize(i + 1);
            h.processWatermark(Rows.T0 + (i + 1) * MINUTE - 1);
        }
        return h;
    }

    private static MetricAggregate edge(int minute, double views, int updateSeq) {
        MetricAggregate r = row("shop", "browser", "Edge", minute, views, normalRate(minute));
        r.updateSeq = updateSeq;
        return r;
    }

    private static List<String> pageViewVerdicts(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        return signals(h, "page_views").stream()
                .map(
                        v ->
                                (v.windowStart - Rows.T0) / MINUTE
                                        + ":"
                                        + v.observed
                                        + ":"
                                        + v.expected
                                        + ":"
                                        + v.score)
                .collect(Collectors.toList());
    }

    @Test
    void aWindowFilledOnlyByLateEventsIsScoredWithItsRowNotAsEmpty() throws Exception {
        var h = edgeForFifteenMinutes();
        // Minute 16 closes on time; minute 15's events all come late (its row after 16's).
        feed(h, edge(16, normalViews(16), 0));
        assertThat(h.extractOutputValues()).as("16 waits until 15 is decided").hasSize(15);
        h.processWatermark(Rows.T0 + 18 * MINUTE);
        feed(h, edge(15, normalViews(15), 0));
        h.processWatermark(Rows.T0 + 18 * MINUTE + 1);
        assertThat(h.extractOutputValues())
                .extracting(r -> (r.windowStart - Rows.T0) / MINUTE)
                .endsWith(14L, 15L, 16L);
        assertThat(signals(h, "page_views"))
                .extracting(v -> (v.windowStart - Rows.T0) / MINUTE)
                .endsWith(14L, 15L, 16L);
        assertThat(signals(h, "page_views")).allMatch(v -> v.observed > 0);
        h.processWatermark(Rows.T0 + 17 * MINUTE + Duration.ofDays(7).toMillis());
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(stateEntries(h)).isZero();
    }

    @Test
    void theVerdictsDoNotDependOnHowLateRowsInterleaved() throws Exception {
        // The same rows in three arrival orders: minute 15 (late events only) before minute 16,
        // after it, and after it with a late update that adds to it before it is decided.
        var before = edgeForFifteenMinutes();
        h16(before, false);
        var after = edgeForFifteenMinutes();
        h16(after, true);
        var updated = edgeForFifteenMinutes();
        feed(updated, edge(16, normalViews(16), 0));
        updated.processWatermark(Rows.T0 + 17 * MINUTE);
        feed(updated, edge(15, 3, 0)); // first firing: the first late event
        feed(updated, edge(15, normalViews(15), 1)); // the rest of them
        for (var h : List.of(before, after, updated)) {
            h.processWatermark(Rows.T0 + 25 * MINUTE);
        }
        assertThat(pageViewVerdicts(after)).isEqualTo(pageViewVerdicts(before));
        assertThat(pageViewVerdicts(updated)).isEqualTo(pageViewVerdicts(before));
        assertThat(pageViewVerdicts(before)).hasSize(17 + 3); // 17-19 decided empty by 25
    }

    private static void h16(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h,
            boolean sixteenFirst)
            throws Exception {
        if (sixteenFirst) {
            feed(h, edge(16, normalViews(16), 0));
            h.processWatermark(Rows.T0 + 17 * MINUTE);
            feed(h, edge(15, normalViews(15), 0));
        } else {
            h.processWatermark(Rows.T0 + 16 * MINUTE);
            feed(h, edge(15, normalViews(15), 0));
            feed(h, edge(16, normalViews(16), 0));
        }
    }

    @Test
    void rowsStillHeldAtTheEndOfABoundedInputAreScored() throws Exception {
        var h = edgeForFifteenMinutes();
        feed(h, edge(17, normalViews(17), 0));
        h.processWatermark(Long.MAX_VALUE);
        assertThat(signals(h, "page_views"))
                .extracting(v -> (v.windowStart - Rows.T0) / MINUTE)
                .as("no zero for 15 and 16 at the end; 17 is scored")
                .endsWith(13L, 14L, 17L);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(stateEntries(h)).isZero();
    }

    @Test
    void detectorStateSurvivesASnapshotAndRestore() throws Exception {
        var h = harness(SPECS);
        var reference = harness(SPECS);
        feedNormalMinutes(15, h, reference);
        OperatorSubtaskState snapshot = h.snapshot(1L, Rows.T0);
        h.close();
        var restored = unopened(SPECS);
        restored.initializeState(snapshot);
        restored.open();
        feed(restored, total("shop", 15, 1000, 0.08));
        feed(reference, total("shop", 15, 1000, 0.08));
        MetricScore a = last(restored).scores.get("error_rate");
        MetricScore b = last(reference).scores.get("error_rate");
        assertThat(a.baseline).isEqualTo("ewma");
        assertThat(a.expected).isEqualTo(b.expected);
        assertThat(a.anomaly).isTrue();
    }

    @Test
    void seriesOfDifferentKeysKeepSeparateBaselines() throws Exception {
        var h = harness(SPECS);
        for (int i = 0; i < 12; i++) {
            feed(h, total("shop", i, normalViews(i), normalRate(i)));
        }
        feed(h, Rows.row("shop", "browser", "Safari", 12, 500, 0.02));
        assertThat(last(h).scores.get("error_rate").baseline).isEqualTo("none");
    }

    @Test
    void theTestsOfAWindowAreCountedOncePerScoredMetricAndSeries() throws Exception {
        var h = harness(SPECS);
        DetectorFunction f = function(h);
        for (int i = 0; i < 4; i++) {
            feed(h, total("shop", i, normalViews(i), normalRate(i)));
            feed(h, Rows.row("shop", "browser", "Safari", i, 300, 0.02));
            // no error rate: only page views is scored on this series
            MetricAggregate noRate = Rows.row("shop", "browser", "Edge", i, 0, 0);
            noRate.errorRate = null;
            if (i < 2) feed(h, noRate);
        }
        // Windows 0 and 1 are closed (a row of window 3 came): two metrics on two series, one
        // on the third.
        assertThat(f.scoredTestsPerWindow()).isEqualTo(5);
        h.close();
    }

    @Test
    void aJobThatScoresMoreTestsThanItsBudgetAssumesWarnsAfterAnHour() throws Exception {
        String specs =
                String.join(
                        "\n",
                        "version: 1",
                        "budget: { false_alerts_per_day: 1, tests_per_window: 2,"
                                + " windows_per_day: 1440 }",
                        "metrics:",
                        "  page_views:",
                        "    kind: throughput",
                        "    baseline: { alpha: 0.1, min_points: 10 }",
                        "");
        var h = harness(specs);
        DetectorFunction f = function(h);
        for (int i = 0; i < 70; i++) {
            for (String browser : List.of("Chrome", "Safari", "Edge")) {
                feed(h, Rows.row("shop", "browser", browser, i, 300, 0.02));
            }
            if (i == 60) assertThat(f.budgetWarnedAt()).as("59 windows closed").isZero();
        }
        assertThat(f.budgetWarnedAt()).as("three series, one metric, one subtask").isEqualTo(3.0);
        h.close();
    }

    static final String LOAD_SPECS =
            String.join(
                    "\n",
                    "version: 1",
                    "metrics:",
                    "  load_p75:",
                    "    kind: latency",
                    "    direction: up",
                    "    transform: log",
                    "    z_threshold: 5",
                    "    sd_floor: 0.05",
                    "    body_share: 0.5",
                    "    baseline: { alpha: 0.1, min_points: 10 }",
                    "    alerting: { trigger_points: 1 }",
                    "");

    /** A page-load row of minute {@code i}: its median and p75 from 40 loads. */
    static MetricAggregate loads(int i, double p50, double p75) {
        MetricAggregate r = total("shop", i, 40, 0.02);
        r.load.p50 = p50;
        r.load.p75 = p75;
        r.load.count = 40;
        return r;
    }

    /**
     * The job hands the window's median to the detector with its p75 ({@code body_share}): a p75
     * that triples while the median stays is a few slow loads, not a regression, and does not open
     * in one window; the same p75 with the median carrying the rise does.
     */
    @Test
    void aP75RiseOpensInOneWindowOnlyWhenTheSameRowsMedianCarriesIt() throws Exception {
        assertThat(loads(0, 2000, 2700).medianUnder("load_p75")).isEqualTo(2000);
        assertThat(loads(0, 2000, 2700).medianUnder("load_p50")).isNull();
        assertThat(loads(0, 2000, 2700).medianUnder("error_rate")).isNull();
        assertThat(loads(0, 2000, 2700).medianUnder("lcp_good_share")).isNull();
        assertThat(loads(0, 2000, 2700).medianUnder("fetch_p95")).isNull();

        boolean[] anomaly = new boolean[2];
        double[] median = {2050, 6000};
        for (int run = 0; run < 2; run++) {
            var h = harness(LOAD_SPECS);
            for (int i = 0; i < 40; i++) {
                double wobble = 1 + 0.04 * ((i % 3) - 1);
                feed(h, loads(i, 2000 * wobble, 2700 * wobble));
            }
            feed(h, loads(40, median[run], 8000));
            anomaly[run] = last(h).scores.get("load_p75").anomaly;
        }
        assertThat(anomaly).containsExactly(false, true);
    }

    @Test
    void everyStateAndOutputTypeIsAPojoWithoutGenericFields() {
        for (Class<?> c :
                List.of(
                        DetectorState.class,
                        ScoredAggregate.class,
                        MetricScore.class,
                        AnomalySignal.class,
                        SpecUpdate.class,
                        SpecRejection.class,
                        DetectorFunction.WindowScores.class,
                        RageClick.class,
                        RouteActivity.class,
                        ReleaseWatch.Rows.class,
                        Finding.class,
                        Alert.class,
                        IncidentState.class)) {
            TypeInformation<?> t = TypeInformation.of(c);
            assertThat(t).as(c.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            assertThat(t.toString()).as(c.getSimpleName()).doesNotContain("GenericType");
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) t;
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getTypeAt(i))
                        .as(c.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                        .isNotInstanceOf(GenericTypeInfo.class);
            }
        }
    }
}
