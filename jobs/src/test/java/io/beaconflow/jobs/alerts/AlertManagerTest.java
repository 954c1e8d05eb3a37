package io.beaconflow.jobs.alerts;

import static io.beaconflow.jobs.testing.Harnesses.assertNothingLeft;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.AlertingConfig;
import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.patterns.Finding;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * The ordered expiry on RocksDB (a scan that stops at the first row still kept) keeps exactly
     * the rows a full scan keeps: rows of 12 windows and 25 series each, arriving 1-3 windows after
     * their window in random order (the window starts' low bytes do not grow with the minute:
     * 60,000 ms is 0xEA60), compared with a model after every watermark on both backends. It fails
     * if the heap backend's hash order were taken for window order, or if RocksDB's iteration were
     * not by window start (checked on its own, too).
     */
    @Test
    void theOrderedExpiryOnRocksDbKeepsExactlyWhatAFullScanKeeps() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> r = onRocksDb();
        try {
            java.util.Random random = new java.util.Random(7);
            java.util.TreeMap<Integer, List<HintRow>> arriving = new java.util.TreeMap<>();
            for (int m = 250; m < 262; m++) {
                for (int i = 0; i < 25; i++) {
                    String value = Long.toString(random.nextLong(), 36);
                    arriving.computeIfAbsent(m + 1 + random.nextInt(3), k -> new ArrayList<>())
                            .add(HintRow.of(scoredRow("route", value, m, 100, 0.02, 0.02)));
                }
            }
            List<String> model = new ArrayList<>();
            for (int m = 250; m < 272; m++) {
                List<HintRow> now = arriving.getOrDefault(m, List.of());
                java.util.Collections.shuffle(now, random);
                for (HintRow row : now) {
                    h.processElement2(row, row.windowEnd - 1);
                    r.processElement2(row, row.windowEnd - 1);
                    model.add(row.digest.windowStart + "|" + row.digest.dimensionValue);
                }
                long watermark = T0 + m * M;
                h.processBothWatermarks(new Watermark(watermark));
                r.processBothWatermarks(new Watermark(watermark));
                // A row's window asks for a timer at its end + 5 hint windows, which drops the
                // rows of every window that ended 5 windows before it.
                long lastExpired = watermark - 6 * M;
                model.removeIf(k -> Long.parseLong(k.substring(0, k.indexOf('|'))) <= lastExpired);
                java.util.Collections.sort(model);
                assertThat(keptRows(r, true)).as("RocksDB at minute %d", m).isEqualTo(model);
                assertThat(keptRows(h, false)).as("heap at minute %d", m).isEqualTo(model);
            }
            assertThat(model).isEmpty();
        } finally {
            r.close();
        }
    }

    /** A row from before 1970 would sort after every kept row on RocksDB: it is not kept. */
    @Test
    void aRowFromBefore1970IsNotKeptSoTheOrderedExpiryCannotMissIt() throws Exception {
        HintRow row = HintRow.of(scoredRow("all", "*", 0, 100, 0.02, 0.02));
        row.digest.windowStart = -2 * M;
        row.windowEnd = -M;
        h.processElement2(row, -M - 1);
        assertThat(keptRows(h, false)).isEmpty();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    /** The kept rows' keys (window start|value), sorted; in window order on RocksDB as stored. */
    private static List<String> keptRows(
            KeyedTwoInputStreamOperatorTestHarness<String, Finding, HintRow, Alert> x,
            boolean inWindowOrder)
            throws Exception {
        var op = x.getOperator();
        org.apache.flink.api.common.state.MapState<
                        org.apache.flink.api.java.tuple.Tuple3<Long, String, String>, RowDigest>
                rows =
                        op.getKeyedStateBackend()
                                .getPartitionedState(
                                        org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                                        org.apache.flink.runtime.state.VoidNamespaceSerializer
                                                .INSTANCE,
                                        AlertManager.rowsDescriptor());
        op.setCurrentKey("shop");
        List<String> out = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        for (var k : rows.keys()) {
            if (inWindowOrder) assertThat(k.f0).isGreaterThanOrEqualTo(previous);
            previous = k.f0;
            out.add(k.f0 + "|" + k.f2);
        }
        java.util.Collections.sort(out);
        return out;
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
