package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.detection.SegmentShareFunction;
import io.beaconflow.jobs.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {
    static final long T0 = 1_793_606_400_000L;
    static final long MINUTE = 60_000;

    static ScoredAggregate row(String dimension, String value, int i, double views) {
        ScoredAggregate r = new ScoredAggregate();
        r.app = "shop-web";
        r.dimension = dimension;
        r.dimensionValue = value;
        r.windowStart = T0 + i * MINUTE;
        r.windowEnd = r.windowStart + MINUTE;
        r.pageViews = views;
        r.id = "shop-web|" + dimension + "|" + value + "|" + r.windowStart;
        return r;
    }

    /**
     * A segment-share alert is charted from the rows as the segment's share of its app's views,
     * zero in the app's windows without a row of the segment: the metric is no column of the rows
     * (the demo's report once failed on it with "unknown metric").
     */
    @Test
    void aShareAlertIsChartedAsTheSegmentsShareOfItsApp(@TempDir Path out) throws Exception {
        List<String> lines = new ArrayList<>();
        ObjectMapper json = Json.newOutputMapper();
        for (int i = 0; i < 10; i++) {
            lines.add(json.writeValueAsString(row("all", "*", i, 100)));
            if (i < 6) {
                lines.add(json.writeValueAsString(row("country", "DE", i, 25)));
            }
        }
        Files.write(out.resolve("metrics-0.ndjson"), lines);
        Alert a = new Alert();
        a.app = "shop-web";
        a.dimension = "country";
        a.dimensionValue = "DE";
        a.metric = SegmentShareFunction.METRIC;
        a.kind = "sustained";
        a.severity = Alert.WARNING;
        a.openedAt = T0 + 8 * MINUTE;
        Path report = out.resolve("report.html");

        DemoReport.write(report, out, List.of(a), List.of());

        String html = Files.readString(report);
        assertThat(html).contains("shop-web|country|DE page_view_share");
        // charted over the app's windows (to minute 9), not only the segment's rows (to minute 5)
        assertThat(html).contains("2026-11-02 08:09:00 UTC");
        assertThat(html).contains("1 alerted series/metric pairs");
    }
}
