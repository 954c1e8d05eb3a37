package io.beaconflow.detectors.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestCommandTest {
    static final Path ROOT = NabCommandITCase.findRoot();

    /**
     * {@code backtest} of the error rate with {@code spec} over {@code input} into {@code out},
     * followed by {@code more}.
     */
    private static String[] backtest(Path spec, Path input, Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "backtest",
                                "--spec",
                                spec.toString(),
                                "--metric",
                                "error_rate",
                                "--input",
                                input.toString(),
                                "--out",
                                out.toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @Test
    void aRecordedErrorRateSeriesIsScoredAndItsLabelledIncidentFound(@TempDir Path dir)
            throws IOException {
        long t0 = Instant.parse("2024-06-01T00:00:00Z").toEpochMilli();
        StringBuilder csv = new StringBuilder("timestamp,value,denominator\n");
        Random r = new Random(5);
        for (int i = 0; i < 400; i++) {
            double p = i >= 300 && i < 330 ? 0.09 : 0.02;
            int errors =
                    (int)
                            Math.max(
                                    0,
                                    Math.round(
                                            10_000 * p + Math.sqrt(10_000 * p) * r.nextGaussian()));
            csv.append(t0 + i * 60_000L).append(',').append(errors / 10_000.0).append(",10000\n");
        }
        Files.writeString(dir.resolve("series.csv"), csv);
        Files.writeString(
                dir.resolve("labels.csv"),
                "start,end\n"
                        + Instant.ofEpochMilli(t0 + 300 * 60_000L)
                        + ","
                        + Instant.ofEpochMilli(t0 + 329 * 60_000L)
                        + "\n");
        StringWriter text = new StringWriter();
        int code =
                NabCommandITCase.run(
                        text,
                        new StringWriter(),
                        backtest(
                                ROOT.resolve("flink-conf/detectors/defaults.yaml"),
                                dir.resolve("series.csv"),
                                dir.resolve("out"),
                                "--app",
                                "shop",
                                "--labels",
                                dir.resolve("labels.csv").toString()));
        assertThat(code).isZero();
        assertThat(text.toString())
                .contains("alerts: 1")
                .contains("precision: 1.000")
                .contains("recall: 1.000");
        List<String> scored = Files.readAllLines(dir.resolve("out/scored.csv"));
        assertThat(scored).hasSize(401);
        assertThat(scored.get(0))
                .startsWith(
                        "timestamp,value,denominator,status,baseline,expected,lower,upper,z,score");
        List<String> alerts = Files.readAllLines(dir.resolve("out/alerts.csv"));
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(1)).contains(",up,");
    }

    @Test
    void anInvalidSpecIsReportedWithFileLineAndKeyAndExitCode2(@TempDir Path dir)
            throws IOException {
        Path spec = dir.resolve("bad.yaml");
        Files.writeString(
                spec, "metrics:\n  error_rate:\n    kind: error_rate\n    z_treshold: 3\n");
        Files.writeString(dir.resolve("s.csv"), "0,0.1,10\n");
        StringWriter err = new StringWriter();
        int code =
                NabCommandITCase.run(
                        new StringWriter(),
                        err,
                        backtest(spec, dir.resolve("s.csv"), dir.resolve("o")));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("bad.yaml:4: metrics.error_rate.z_treshold: unknown key")
                .contains("did you mean 'z_threshold'?");
    }
}
