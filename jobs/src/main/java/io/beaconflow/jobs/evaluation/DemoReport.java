package io.beaconflow.jobs.evaluation;

import io.beaconflow.detectors.report.HtmlReport;
import io.beaconflow.detectors.report.SeriesChart;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.detection.MetricScore;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.detection.SegmentShareFunction;
import io.beaconflow.jobs.generator.IncidentTruth;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's HTML report: one chart per alerted series and metric, drawn from the job's own scored
 * metric rows (observed value, expected value and band, anomalous windows), with the alert and the
 * injected incidents of that app marked.
 */
public final class DemoReport {
    private DemoReport() {}

    public static void write(
            Path file, Path out, List<Alert> alertVersions, List<IncidentTruth> incidents)
            throws IOException {
        List<ScoredAggregate> rows = DemoSummary.readAll(out, "metrics", ScoredAggregate.class);
        // The latest version of each window's row (late updates overwrite, as in Elasticsearch).
        Map<String, ScoredAggregate> latest = new LinkedHashMap<>();
        for (ScoredAggregate r : rows) {
            ScoredAggregate seen = latest.get(r.id);
            if (seen == null || seen.updateSeq < r.updateSeq) latest.put(r.id, r);
        }
        Map<String, List<ScoredAggregate>> bySeries = new LinkedHashMap<>();
        for (ScoredAggregate r : latest.values()) {
            bySeries.computeIfAbsent(
                            seriesOf(r.app, r.dimension, r.dimensionValue), k -> new ArrayList<>())
                    .add(r);
        }
        List<SeriesChart> charts = new ArrayList<>();
        Map<String, List<Alert>> byChart = new TreeMap<>();
        for (Alert a : IncidentMatcher.latest(alertVersions)) {
            byChart.computeIfAbsent(
                            seriesOf(a.app, a.dimension, a.dimensionValue) + " " + a.metric,
                            k -> new ArrayList<>())
                    .add(a);
        }
        for (Map.Entry<String, List<Alert>> c : byChart.entrySet()) {
            Alert first = c.getValue().get(0);
            List<ScoredAggregate> series =
                    bySeries.getOrDefault(
                            seriesOf(first.app, first.dimension, first.dimensionValue), List.of());
            if (series.isEmpty()) {
                // An alert on no metric series (new_error: an error group): nothing to chart.
                continue;
            }
            series.sort(java.util.Comparator.comparingLong(r -> r.windowStart));
            SeriesChart.Builder b = SeriesChart.builder(c.getKey());
            if (SegmentShareFunction.METRIC.equals(first.metric)) {
                // Not a column of the rows: the segment's views over its app's, per window, 0 in
                // the app's windows without a row of the segment (what the share detector saw).
                shares(
                        b,
                        series,
                        bySeries.getOrDefault(seriesOf(first.app, "all", "*"), List.of()));
            } else {
                points(b, series, first.metric);
            }
            long end = series.get(series.size() - 1).windowEnd;
            if (SegmentShareFunction.METRIC.equals(first.metric)) {
                for (ScoredAggregate t :
                        bySeries.getOrDefault(seriesOf(first.app, "all", "*"), List.of())) {
                    end = Math.max(end, t.windowEnd);
                }
            }
            for (Alert a : c.getValue()) {
                // an open alert runs to the last window charted (a share alert's segment may
                // have no row after it opened: the app total's windows are charted)
                b.alert(
                        a.openedAt,
                        a.resolvedAt == null ? Math.max(end, a.openedAt) : a.resolvedAt,
                        a.kind + " " + a.severity);
            }
            for (IncidentTruth t : incidents) {
                if (t.app().equals(first.app)) {
                    b.incident(t.startMillis(), t.endMillis(), t.id());
                }
            }
            charts.add(b.build());
        }
        HtmlReport.write(
                file,
                "Beaconflow demo: alerted series",
                List.of(
                        charts.size()
                                + " alerted series/metric pairs; shaded: injected incidents"
                                + " of the same app; bars: alerts."),
                charts);
    }

    private static void points(SeriesChart.Builder b, List<ScoredAggregate> series, String metric) {
        for (ScoredAggregate r : series) {
            MetricScore s = r.scores == null ? null : r.scores.get(metric);
            Double v = s != null && s.value != null ? s.value : r.value(metric);
            if (v == null || v.isNaN()) continue;
            b.point(
                    r.windowStart,
                    v,
                    s == null || s.expected == null ? Double.NaN : s.expected,
                    s == null || s.lower == null ? Double.NaN : s.lower,
                    s == null || s.upper == null ? Double.NaN : s.upper,
                    s != null && s.anomaly);
        }
    }

    private static void shares(
            SeriesChart.Builder b, List<ScoredAggregate> segment, List<ScoredAggregate> totals) {
        Map<Long, Double> views = new java.util.HashMap<>();
        for (ScoredAggregate r : segment) {
            views.put(r.windowStart, r.pageViews);
        }
        List<ScoredAggregate> sorted = new ArrayList<>(totals);
        sorted.sort(java.util.Comparator.comparingLong(r -> r.windowStart));
        for (ScoredAggregate t : sorted) {
            if (t.pageViews > 0) {
                double share = views.getOrDefault(t.windowStart, 0.0) / t.pageViews;
                b.point(t.windowStart, share, Double.NaN, Double.NaN, Double.NaN, false);
            }
        }
    }

    private static String seriesOf(String app, String dimension, String value) {
        return app + "|" + dimension + "|" + value;
    }
}
