package io.beaconflow.detectors.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.PointStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestTest {
    static final long T0 = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    static final long MIN = 60_000;

    @Test
    void precisionRecallAndDelayCountAlertOpeningsAgainstWindows() {
        List<LabelledWindow> windows =
                List.of(
                        new LabelledWindow(100, 200),
                        new LabelledWindow(500, 600),
                        new LabelledWindow(900, 950));
        List<Backtest.Alert> alerts = List.of(alert(130), alert(170), alert(300), alert(510));
        Backtest.Evaluation e = Backtest.evaluate(alerts, windows);
        assertThat(e.precision()).isEqualTo(3 / 4.0);
        assertThat(e.recall()).isEqualTo(2 / 3.0);
        assertThat(e.meanDelayMillis()).isEqualTo((30 + 10) / 2.0);
        assertThat(e.medianDelayMillis()).isEqualTo(20.0);
    }

    private static Backtest.Alert alert(long t) {
        return new Backtest.Alert(t, t + 5, null, 0, 0, 0, 0.7, 1);
    }

    @Test
    void aReplayFindsTheLabelledIncidentAndCountsSkippedPoints(@TempDir Path dir)
            throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value,denominator\n");
        Random r = new Random(3);
        for (int i = 0; i < 300; i++) {
            double rate = i >= 200 && i < 220 ? 0.09 : 0.02;
            int views = 10_000;
            int errors =
                    (int) Math.round(views * rate + Math.sqrt(views * rate) * r.nextGaussian());
            String value = i == 50 ? "" : Double.toString(errors / (double) views);
            csv.append(Instant.ofEpochMilli(T0 + i * MIN))
                    .append(',')
                    .append(value)
                    .append(',')
                    .append(views)
                    .append('\n');
        }
        Path series = dir.resolve("s.csv");
        Files.writeString(series, csv);
        List<Point> points = SeriesCsv.read(series, ZoneOffset.UTC);
        assertThat(points).hasSize(300);
        assertThat(points.get(50).value()).isNaN();
        Detector d =
                new Detector(
                        DetectorSpec.builder().kind(MetricKind.ERROR_RATE).zThreshold(4).build());
        Backtest.Result result = Backtest.run(d, points);
        assertThat(result.statusCounts().get(PointStatus.SKIPPED_NAN)).isEqualTo(1);
        assertThat(result.alerts()).hasSize(1);
        assertThat(result.alerts().get(0).openedMillis()).isEqualTo(T0 + 200 * MIN);
        Backtest.Evaluation e =
                Backtest.evaluate(
                        result.alerts(),
                        List.of(new LabelledWindow(T0 + 200 * MIN, T0 + 219 * MIN)));
        assertThat(e.precision()).isEqualTo(1.0);
        assertThat(e.recall()).isEqualTo(1.0);
        assertThat(e.meanDelayMillis()).isCloseTo(0, within(1e-9));
    }

    @Test
    void timestampFormatsAndBadCellsAreHandledWithTheLineNamed(@TempDir Path dir)
            throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "1714521600000,1\n2024-05-01T00:01:00Z,2\n2024-05-01 00:02:00,3\n");
        List<Point> p = SeriesCsv.read(f, ZoneOffset.UTC);
        List<Long> ts = new ArrayList<>();
        p.forEach(x -> ts.add(x.timestampMillis()));
        assertThat(ts).containsExactly(T0, T0 + MIN, T0 + 2 * MIN);
        Files.writeString(f, "timestamp,value\n2024-05-01 00:00:00,abc\n");
        assertThatThrownBy(() -> SeriesCsv.read(f, ZoneOffset.UTC))
                .hasMessageContaining("t.csv:2: value 'abc' is not a number");
        Files.writeString(f, "yesterday,1\n");
        assertThatThrownBy(() -> SeriesCsv.read(f, ZoneOffset.UTC))
                .hasMessageContaining("t.csv:1: timestamp 'yesterday'");
    }
}
