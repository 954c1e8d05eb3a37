package io.beaconflow.benchmarks.detectors;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorSpecBuilder;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.SeasonalPeriod;
import java.time.ZoneId;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one {@code Detector.update} (score + hysteresis + baseline update) per detector kind, on
 * a warmed-up state with a realistic series (5 % of points anomalous). Run: {@code java -jar
 * benchmarks/target/benchmarks.jar DetectorBenchmark -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DetectorBenchmark {
    private static final int N = 4096;
    private static final long STEP = 60_000;

    @Param({
        "ewma",
        "seasonal_day",
        "seasonal_week_robust",
        "proportion",
        "count",
        "latency_log",
        "latency_pooled",
        "latency_pooled_dense"
    })
    public String detector;

    private Detector det;
    private DetectorState state;
    private double[] values;
    private double[] denominators;
    private long t;
    private int i;

    @Setup(Level.Trial)
    public void setUp() {
        DetectorSpecBuilder b = DetectorSpec.builder().zThreshold(4).cooldownPoints(10);
        switch (detector) {
            case "ewma" -> b.kind(MetricKind.GENERIC);
            case "seasonal_day" ->
                    b.kind(MetricKind.GENERIC)
                            .seasonalPeriod(SeasonalPeriod.DAY)
                            .slotMinutes(60)
                            .minSeasons(3)
                            .timeZone(ZoneId.of("Europe/Berlin"));
            case "seasonal_week_robust" ->
                    b.kind(MetricKind.GENERIC)
                            .seasonalPeriod(SeasonalPeriod.WEEK)
                            .slotMinutes(60)
                            .minSeasons(1)
                            .robust(true)
                            .robustWindow(9)
                            .timeZone(ZoneId.of("Europe/Berlin"));
            case "proportion" -> b.kind(MetricKind.ERROR_RATE).minVolume(50);
            case "count" -> b.kind(MetricKind.THROUGHPUT).minVolume(20);
            case "latency_log" ->
                    b.kind(MetricKind.LATENCY)
                            .logScale(true)
                            .seasonalPeriod(SeasonalPeriod.DAY)
                            .timeZone(ZoneId.of("Europe/Berlin"));
            // A shipped median: log scale, pooled over up to 32 windows, capped at 3, anchored;
            // one scale an octave (1, 2, 4, ... 32) or two (1, 2, 3, 4, 6, ... 32).
            case "latency_pooled", "latency_pooled_dense" ->
                    b.kind(MetricKind.LATENCY)
                            .logScale(true)
                            .evidenceWindows(32)
                            .evidenceCap(3)
                            .evidenceAnchored(true)
                            .evidenceScalesPerOctave(
                                    "latency_pooled_dense".equals(detector) ? 2 : 1);
            default -> throw new IllegalArgumentException(detector);
        }
        det = new Detector(b.build());
        Random r = new Random(42);
        values = new double[N];
        denominators = new double[N];
        for (int k = 0; k < N; k++) {
            boolean spike = r.nextDouble() < 0.05;
            double views = 2000 + 200 * r.nextGaussian();
            denominators[k] = Math.max(1, Math.round(views));
            values[k] =
                    switch (detector) {
                        case "proportion" ->
                                Math.min(
                                        1,
                                        Math.max(
                                                0,
                                                (spike ? 0.09 : 0.02) + 0.003 * r.nextGaussian()));
                        case "count" -> Math.max(0, Math.round(views * (spike ? 2 : 1)));
                        default -> Math.max(1, (spike ? 3000 : 1200) + 150 * r.nextGaussian());
                    };
        }
        state = det.newState();
        t = 1_700_000_000_000L;
        // Warm up the state past every cold-start stage (two weeks of minutes).
        for (int k = 0; k < 14 * 24 * 60; k++) {
            update();
        }
    }

    private PointResult update() {
        int k = i++ & (N - 1);
        t += STEP;
        double den =
                "proportion".equals(detector) || detector.startsWith("latency")
                        ? denominators[k]
                        : Double.NaN;
        return det.update(state, t, values[k], den);
    }

    @Benchmark
    public PointResult updateOnePoint() {
        return update();
    }
}
