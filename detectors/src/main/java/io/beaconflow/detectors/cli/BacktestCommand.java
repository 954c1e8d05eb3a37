package io.beaconflow.detectors.cli;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.PointStatus;
import io.beaconflow.detectors.backtest.Backtest;
import io.beaconflow.detectors.backtest.LabelledWindow;
import io.beaconflow.detectors.backtest.Point;
import io.beaconflow.detectors.backtest.SeriesCsv;
import io.beaconflow.detectors.report.HtmlReport;
import io.beaconflow.detectors.report.SeriesChart;
import io.beaconflow.detectors.spec.DetectorSpecs;
import io.beaconflow.detectors.spec.SpecException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backtest}: replays a recorded series through the detector a spec resolves to, writes the
 * scored series and the alerts, and, given labelled windows, prints precision, recall and detection
 * delay.
 */
@Command(
        name = "backtest",
        mixinStandardHelpOptions = true,
        description = {
            "Run a detector spec over a recorded series (CSV timestamp,value[,denominator]) and"
                    + " write OUT/scored.csv (expected value, band, z, score, baseline, anomaly per"
                    + " point) and OUT/alerts.csv (one row per alert).",
            "With --labels (CSV start,end of anomaly windows) also print precision, recall and"
                    + " detection delay."
        })
public final class BacktestCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "FILE",
            description = "Detector spec YAML, e.g. flink-conf/detectors/defaults.yaml.")
    Path specFile;

    @Option(
            names = "--metric",
            required = true,
            paramLabel = "METRIC",
            description = "Metric name under metrics: (e.g. error_rate, lcp_p75, page_views).")
    String metric;

    @Option(names = "--app", paramLabel = "APP", description = "App id, for app overrides.")
    String app;

    @Option(
            names = "--dimension",
            paramLabel = "DIM",
            description =
                    "Dimension of the series: ${COMPLETION-CANDIDATES}-style names route, release, browser, country, device, variant, os, browser_version, endpoint.")
    String dimension;

    @Option(
            names = "--value",
            paramLabel = "VALUE",
            description = "Dimension value, e.g. a route such as /checkout/cart.")
    String dimensionValue;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "CSV",
            description =
                    "Recorded series: timestamp,value[,denominator]; timestamps epoch millis, ISO-8601 or 'YYYY-MM-DD HH:MM:SS'.")
    Path input;

    @Option(
            names = "--labels",
            paramLabel = "CSV",
            description = "Labelled anomaly windows: start,end per line (inclusive).")
    Path labels;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output folder for scored.csv and alerts.csv.")
    Path out;

    @Option(
            names = "--zone",
            defaultValue = "UTC",
            paramLabel = "ZONE",
            description = "Zone of timestamps written without offset (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description =
                    "Also write a self-contained HTML report: the series with its expected band,"
                            + " alerts and labelled windows marked.")
    Path html;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = cmd.commandLine().getOut();
        PrintWriter err = cmd.commandLine().getErr();
        DetectorSpec spec;
        try {
            DetectorSpecs specs = DetectorSpecs.load(specFile);
            spec = specs.resolve(app, dimension, dimensionValue, metric);
            if (spec == null) {
                err.println(
                        specFile
                                + ": metric '"
                                + metric
                                + "' is not configured; use one of "
                                + specs.metrics());
                return 2;
            }
        } catch (SpecException e) {
            err.println(e.getMessage());
            return 2;
        }
        List<Point> points = SeriesCsv.read(input, zone);
        Backtest.Result result = Backtest.run(new Detector(spec), points);
        Files.createDirectories(out);
        writeScored(out.resolve("scored.csv"), result);
        writeAlerts(out.resolve("alerts.csv"), result.alerts());
        o.printf(Locale.ROOT, "spec: %s%n", spec);
        o.printf(Locale.ROOT, "points: %d%n", points.size());
        for (Map.Entry<PointStatus, Integer> e : result.statusCounts().entrySet()) {
            o.printf(
                    Locale.ROOT,
                    "  %-28s %d%n",
                    e.getKey().name().toLowerCase(Locale.ROOT),
                    e.getValue());
        }
        long anomalies = result.scored().stream().filter(PointResult::anomaly).count();
        o.printf(
                Locale.ROOT,
                "anomalous points: %d%nalerts: %d%n",
                anomalies,
                result.alerts().size());
        if (labels != null) {
            Backtest.Evaluation ev =
                    Backtest.evaluate(result.alerts(), LabelledWindow.read(labels, zone));
            o.printf(
                    Locale.ROOT,
                    "labelled windows: %d, detected: %d%n",
                    ev.windows(),
                    ev.detectedWindows());
            o.printf(
                    Locale.ROOT,
                    "precision: %.3f (%d of %d alerts inside a window)%n",
                    ev.precision(),
                    ev.truePositiveAlerts(),
                    ev.alerts());
            o.printf(Locale.ROOT, "recall: %.3f%n", ev.recall());
            o.printf(
                    Locale.ROOT,
                    "detection delay: mean %.1f s, median %.1f s%n",
                    ev.meanDelayMillis() / 1000,
                    ev.medianDelayMillis() / 1000);
        }
        o.printf(
                Locale.ROOT,
                "wrote %s and %s%n",
                out.resolve("scored.csv"),
                out.resolve("alerts.csv"));
        if (html != null) {
            List<LabelledWindow> windows =
                    labels == null ? List.of() : LabelledWindow.read(labels, zone);
            HtmlReport.write(
                    html,
                    "Backtest of " + metric + " on " + input.getFileName(),
                    List.of("spec: " + spec),
                    List.of(SeriesChart.of(metric, result, windows)));
            o.printf(Locale.ROOT, "wrote %s%n", html);
        }
        o.flush();
        return 0;
    }

    private static String ts(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC).toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static void writeScored(Path file, Backtest.Result r) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write(
                    "timestamp,value,denominator,status,baseline,expected,lower,upper,z,score,direction,anomaly,alert_opened,alert_open\n");
            for (int i = 0; i < r.scored().size(); i++) {
                PointResult p = r.scored().get(i);
                w.write(
                        String.join(
                                ",",
                                ts(p.timestampMillis()),
                                num(p.value()),
                                num(r.points().get(i).denominator()),
                                p.status().name().toLowerCase(Locale.ROOT),
                                p.baseline().name().toLowerCase(Locale.ROOT),
                                num(p.expected()),
                                num(p.lower()),
                                num(p.upper()),
                                num(p.z()),
                                Double.toString(p.score()),
                                p.direction() == null
                                        ? ""
                                        : p.direction().name().toLowerCase(Locale.ROOT),
                                Boolean.toString(p.anomaly()),
                                Boolean.toString(p.alertOpened()),
                                Boolean.toString(p.alertOpen())));
                w.write('\n');
            }
        }
    }

    private static void writeAlerts(Path file, List<Backtest.Alert> alerts) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("opened_at,closed_at,direction,value,expected,z,peak_score,points\n");
            for (Backtest.Alert a : alerts) {
                w.write(
                        String.join(
                                ",",
                                ts(a.openedMillis()),
                                a.closedMillis() < 0 ? "" : ts(a.closedMillis()),
                                a.direction() == null
                                        ? ""
                                        : a.direction().name().toLowerCase(Locale.ROOT),
                                num(a.value()),
                                num(a.expected()),
                                num(a.z()),
                                Double.toString(a.peakScore()),
                                Integer.toString(a.points())));
                w.write('\n');
            }
        }
    }
}
