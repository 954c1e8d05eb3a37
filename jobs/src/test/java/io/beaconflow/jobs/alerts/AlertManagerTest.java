package io.beaconflow.jobs.alerts;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import java.util.List;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertManagerTest extends AlertManagerHarness {
    @BeforeEach
    void setUp() throws Exception {
        h = open(new AlertingConfig(), false);
    }

    static Finding sustained(
            String series,
            String metric,
            String kind,
            String dir,
            int firstMinute,
            int lastMinute) {
        Finding f =
                finding(
                        Finding.SUSTAINED,
                        series,
                        metric,
                        T0 + firstMinute * M,
                        T0 + (lastMinute + 1) * M);
        f.metricKind = kind;
        f.direction = dir;
        f.observed = 0.08;
        f.expected = 0.02;
        f.score = 0.6;
        return f;
    }

    static Finding recovered(Finding of, int firstMinute) {
        Finding f =
                sustained(of.series, of.metric, of.metricKind, null, firstMinute, firstMinute + 2);
        f.kind = Finding.RECOVERED;
        return f;
    }

    /** A first-version scored row of app {@code shop} with its error rate scored. */
    static ScoredAggregate scoredRow(
            String dimension,
            String value,
            int minute,
            double views,
            double rate,
            Double expected) {
        ScoredAggregate r = new ScoredAggregate();
        r.app = "shop";
        r.dimension = dimension;
        r.dimensionValue = value;
        r.windowStart = T0 + minute * M;
        r.windowEnd = r.windowStart + M;
        r.pageViews = views;
        r.errorRate = rate;
        MetricScore s = RowDigests.score(rate, expected);
        s.denominator = views;
        s.baseline = expected == null ? "none" : "ewma";
        r.scores.put("error_rate", s);
        return r;
    }

    @Test
    void manySeriesOfOneFamilyOpenOneAlertThatResolvesWhenAllHaveRecovered() throws Exception {
        Finding total = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        Finding safari = sustained("shop|browser|Safari", "error_rate", "error_rate", "up", 10, 12);
        feed(safari);
        feed(total);
        h.processBothWatermarks(new Watermark(T0 + 13 * M));

        List<Alert> out = alerts();
        assertThat(out).hasSize(2);
        Alert opened = out.get(0);
        assertThat(opened.state).isEqualTo(Alert.OPEN);
        assertThat(opened.series).isEqualTo("shop|all|*");
        assertThat(opened.openedAt).isEqualTo(T0 + 12 * M);
        assertThat(opened.firstWindow).isEqualTo(T0 + 10 * M);
        assertThat(opened.alertId).startsWith("alert-");
        assertThat(opened.dashboardUrl)
                .startsWith(
                        "http://localhost:5601/app/dashboards#/view/beaconflow-page-performance?_g=");
        Alert joined = out.get(1);
        assertThat(joined.state).isEqualTo(Alert.UPDATED);
        assertThat(joined.alertId).isEqualTo(opened.alertId);
        assertThat(joined.members)
                .containsExactly("shop|all|*|error_rate", "shop|browser|Safari|error_rate");

        feed(recovered(total, 12));
        h.processBothWatermarks(new Watermark(T0 + 16 * M));
        assertThat(alerts()).hasSize(2).as("Safari has not recovered yet");

        feed(recovered(safari, 14));
        h.processBothWatermarks(new Watermark(T0 + 18 * M));
        Alert resolved = alerts().get(2);
        assertThat(resolved.state).isEqualTo(Alert.RESOLVED);
        assertThat(resolved.resolvedAt).isEqualTo(T0 + 17 * M);
        assertThat(resolved.updateSeq).isEqualTo(2);
    }

    @Test
    void findingsArrivingOutOfOrderAreHandledInEventTimeOrder() throws Exception {
        Finding anomaly = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        Finding recovery = recovered(anomaly, 12);
        feed(recovery);
        feed(anomaly);
        h.processBothWatermarks(new Watermark(T0 + 20 * M));
        assertThat(alerts()).extracting(a -> a.state).containsExactly(Alert.OPEN, Alert.RESOLVED);
    }

    @Test
    void aRecoveryOfASeriesThatIsNotAMemberChangesNothing() throws Exception {
        Finding total = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        feed(total);
        feed(recovered(sustained("shop|route|/cart", "error_rate", "error_rate", "up", 1, 2), 12));
        h.processBothWatermarks(new Watermark(T0 + 16 * M));
        assertThat(alerts()).extracting(a -> a.state).containsExactly(Alert.OPEN);
    }

    @Test
    void errorsUpThenTrafficDownBecomeOneCriticalCorrelatedAlert() throws Exception {
        Finding errors = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        Finding traffic = sustained("shop|all|*", "page_views", "throughput", "down", 12, 13);
        Finding correlated = sustained("shop|all|*", "page_views", "throughput", "down", 10, 13);
        correlated.kind = Finding.CORRELATED;
        correlated.related.addAll(List.of(errors.key, traffic.key));
        correlated.relatedKinds.addAll(List.of("error_rate", "throughput"));
        feed(errors);
        feed(traffic);
        feed(correlated);
        h.processBothWatermarks(new Watermark(T0 + 15 * M));

        List<Alert> out = alerts();
        assertThat(out).extracting(a -> a.alertId).containsOnly(out.get(0).alertId);
        Alert last = out.get(out.size() - 1);
        assertThat(last.kind).isEqualTo("correlated");
        assertThat(last.severity).isEqualTo(Alert.CRITICAL);
        assertThat(last.members).contains(errors.key, traffic.key);

        feed(recovered(errors, 12));
        feed(recovered(traffic, 14));
        h.processBothWatermarks(new Watermark(T0 + 20 * M));
        assertThat(alerts().get(alerts().size() - 1).state).isEqualTo(Alert.RESOLVED);
    }

    @Test
    void aReleaseRegressionAttributesTheOpenIncidentToTheRelease() throws Exception {
        Finding route = sustained("shop|route|/product/:id", "lcp_p75", "latency", "up", 10, 11);
        Finding regression = sustained("shop|release|2.4.0", "lcp_p75", "latency", "up", 11, 12);
        regression.kind = Finding.RELEASE_REGRESSION;
        regression.release = "2.4.0";
        regression.relatedKinds.add("latency");
        feed(route);
        feed(regression);
        h.processBothWatermarks(new Watermark(T0 + 14 * M));
        Alert last = alerts().get(alerts().size() - 1);
        assertThat(alerts()).extracting(a -> a.alertId).containsOnly(last.alertId);
        assertThat(last.kind).isEqualTo("release_regression");
        assertThat(last.release).isEqualTo("2.4.0");
        assertThat(last.rootCauseHints.get(0)).startsWith("release=2.4.0 ");
    }

    @Test
    void aMemberTurningAnomalousAgainDuringTheCooldownIsSuppressed() throws Exception {
        Finding first = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
        feed(first);
        feed(recovered(first, 12));
        feed(sustained("shop|all|*", "error_rate", "error_rate", "up", 16, 17));
        feed(sustained("shop|all|*", "error_rate", "error_rate", "up", 40, 41));
        h.processBothWatermarks(new Watermark(T0 + 45 * M));
        assertThat(alerts())
                .extracting(a -> a.state)
                .containsExactly(Alert.OPEN, Alert.RESOLVED, Alert.OPEN);
        assertThat(alerts().get(2).alertId).isNotEqualTo(alerts().get(0).alertId);
    }

    @Test
    void anIncidentWhoseSeriesFallSilentResolvesAfterStaleAfterAndStateIsCleanedUp()
            throws Exception {
        feed(sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11));
        h.processBothWatermarks(new Watermark(T0 + 12 * M));
        h.processBothWatermarks(new Watermark(T0 + 12 * M + Duration.ofMinutes(30).toMillis()));
        Alert resolved = alerts().get(1);
        assertThat(resolved.state).isEqualTo(Alert.RESOLVED);
        assertThat(resolved.rootCauseHints).anyMatch(x -> x.startsWith("resolved: no data"));
        h.processBothWatermarks(new Watermark(T0 + Duration.ofHours(3).toMillis()));
        assertNothingLeft(h);
    }

    @Test
    void theAlertNamesTheBrowserThatCarriesTheExtraErrors() throws Exception {
        for (int m = 10; m <= 11; m++) {
            for (HintRow r :
                    List.of(
                            HintRow.of(scoredRow("all", "*", m, 1000, 0.075, 0.02)),
                            HintRow.of(scoredRow("browser", "Safari", m, 220, 0.27, 0.02)),
                            HintRow.of(scoredRow("browser", "Chrome", m, 580, 0.021, 0.02)),
                            HintRow.of(scoredRow("browser", "Firefox", m, 200, 0.019, 0.02)),
                            HintRow.of(scoredRow("country", "US", m, 300, 0.076, 0.02)),
                            HintRow.of(scoredRow("country", "DE", m, 700, 0.074, 0.02)))) {
                h.processElement2(r, T0 + (m + 1) * M - 1);
            }
        }
        feed(sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11));
        h.processBothWatermarks(new Watermark(T0 + 12 * M));
        Alert a = alerts().get(0);
        assertThat(a.rootCauseHints).first().asString().startsWith("browser=Safari carries 9");
        assertThat(a.rootCauseHints).noneMatch(x -> x.startsWith("country="));
    }

    /** The same operator on the RocksDB backend, where every map entry is one RocksDB entry. */
    static KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> onRocksDb()
            throws Exception {
        return open(new AlertingConfig(), true);
    }

    /** RocksDB entries of all states (the harness counts only heap state). */
    static int entries(KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r) {
        return ((RocksDBKeyedStateBackend<?>) r.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void eachScoredRowIsOneStateEntrySoARowCostsOneWriteOnRocksDb() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r = onRocksDb();
        try {
            for (int i = 0; i < 40; i++) {
                r.processElement2(
                        HintRow.of(scoredRow("route", "/p" + i, 10, 100, 0.02, 0.02)),
                        T0 + 11 * M - 1);
            }
            // A list value per window would be one entry rewritten 40 times.
            assertThat(entries(r)).isEqualTo(40);
            assertThat(r.numEventTimeTimers()).isEqualTo(1);
        } finally {
            r.close();
        }
    }

    @Test
    void rowsAndTheirTimersAreGoneOnceTheyAreOlderThanTheHintWindowsOnHeapAndRocksDb()
            throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r = onRocksDb();
        try {
            for (KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> x :
                    List.of(h, r)) {
                for (int m = 10; m < 14; m++) {
                    x.processElement2(
                            HintRow.of(scoredRow("all", "*", m, 1000, 0.02, 0.02)),
                            T0 + (m + 1) * M - 1);
                    x.processElement2(
                            HintRow.of(scoredRow("browser", "Safari", m, 200, 0.02, 0.02)),
                            T0 + (m + 1) * M - 1);
                }
                // Window 10's rows are kept for the 5 hint windows after it, window 13's too.
                x.processBothWatermarks(new Watermark(T0 + 16 * M));
                assertThat(x.numEventTimeTimers()).isEqualTo(3);
                x.processBothWatermarks(new Watermark(T0 + 19 * M));
                assertThat(x == r ? entries(r) : x.numKeyedStateEntries()).isZero();
                assertThat(x.numEventTimeTimers()).isZero();
            }
        } finally {
            r.close();
        }
    }

    @Test
    void theHintsDoNotDependOnTheOrderRowsArrivedIn() throws Exception {
        List<HintRow> rows = new java.util.ArrayList<>();
        for (int m = 10; m <= 11; m++) {
            rows.add(HintRow.of(scoredRow("all", "*", m, 1000, 0.075, 0.02)));
            rows.add(HintRow.of(scoredRow("browser", "Safari", m, 220, 0.27, 0.02)));
            rows.add(HintRow.of(scoredRow("browser", "Chrome", m, 580, 0.021, 0.02)));
            rows.add(HintRow.of(scoredRow("country", "US", m, 300, 0.076, 0.02)));
            rows.add(HintRow.of(scoredRow("country", "DE", m, 700, 0.074, 0.02)));
        }
        List<List<String>> hints = new java.util.ArrayList<>();
        for (int order = 0; order < 2; order++) {
            KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r = onRocksDb();
            try {
                List<HintRow> feed = new java.util.ArrayList<>(rows);
                if (order == 1) java.util.Collections.reverse(feed);
                for (HintRow a : feed) r.processElement2(a, a.windowEnd - 1);
                Finding f = sustained("shop|all|*", "error_rate", "error_rate", "up", 10, 11);
                r.processElement1(f, f.at);
                r.processBothWatermarks(new Watermark(T0 + 12 * M));
                hints.add(r.extractOutputValues().get(0).rootCauseHints);
            } finally {
                r.close();
            }
        }
        assertThat(hints.get(0)).isNotEmpty().isEqualTo(hints.get(1));
    }
}
