package io.beaconflow.detectors.nab;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.PointResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a detector over NAB files, writes NAB result files and scores them.
 *
 * <p>The NAB {@code anomaly_score} of a row is the detector's score on the row that <em>opens</em>
 * an alert (always ≥ 0.5), and the point score capped just below 0.5 elsewhere. So at NAB threshold
 * 0.5 a row is a detection exactly when the detector, at its own configured threshold and
 * hysteresis, raises an alert there: one incident, one alert. Skipped rows (such as repeated
 * timestamps) score 0.
 */
public final class NabRunner {
    /** The threshold at which NAB's scorer sees exactly the detector's own alerts. */
    public static final double OWN_THRESHOLD = 0.5;

    private static final double BELOW_HALF = Math.nextDown(0.5);

    private NabRunner() {}

    /** Anomaly scores for every row of {@code file}, in row order. */
    public static double[] run(Detector detector, NabFile file) {
        DetectorState state = detector.newState();
        return scores(file, (ts, value) -> detector.update(state, ts, value));
    }

    /** Anomaly scores for every row of {@code file} from a multi-scale detector, in row order. */
    public static double[] run(MultiScaleDetector detector, NabFile file) {
        MultiScaleDetector.State state = detector.newState();
        return scores(file, (ts, value) -> detector.update(state, ts, value));
    }

    /** One detector step over one row, its state held by the caller. */
    private interface Step {
        PointResult update(long timestampMillis, double value);
    }

    /**
     * Feeds every row to {@code step}; a row's score is at least {@link #OWN_THRESHOLD} exactly
     * when the detector opened an alert there, so NAB's threshold sees the detector's own alerts.
     */
    private static double[] scores(NabFile file, Step step) {
        double[] scores = new double[file.rows()];
        long[] ts = file.timestampsMillis();
        double[] values = file.values();
        for (int i = 0; i < scores.length; i++) {
            PointResult r = step.update(ts[i], values[i]);
            scores[i] =
                    r.alertOpened()
                            ? Math.max(OWN_THRESHOLD, r.score())
                            : Math.min(r.score(), BELOW_HALF);
        }
        return scores;
    }

    /** Writes {@code OUT/NAME/<category>/NAME_<file>.csv} in NAB's result format. */
    public static Path write(Path outDir, String name, NabFile file, double[] scores)
            throws IOException {
        Path dir = outDir.resolve(name).resolve(file.category());
        Files.createDirectories(dir);
        Path out = dir.resolve(name + "_" + file.baseName() + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write("timestamp,value,anomaly_score,label\n");
            String[] ts = file.rawTimestamps();
            String[] vs = file.rawValues();
            for (int i = 0; i < scores.length; i++) {
                w.write(ts[i]);
                w.write(',');
                w.write(vs[i]);
                w.write(',');
                w.write(Double.toString(scores[i]));
                w.write(file.inWindow(i) ? ",1\n" : ",0\n");
            }
        }
        return out;
    }

    /** Reads the {@code anomaly_score} column of a NAB result file. */
    public static double[] readScores(Path resultCsv) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(resultCsv, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
        }
        if (lines.isEmpty()) {
            throw new IOException(resultCsv + ": empty result file");
        }
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int col = header.indexOf("anomaly_score");
        if (col < 0 || !"timestamp".equals(header.get(0))) {
            throw new IOException(
                    resultCsv + ": header must start with timestamp and contain anomaly_score");
        }
        double[] scores = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            scores[i - 1] = Double.parseDouble(lines.get(i).split(",")[col]);
        }
        return scores;
    }

    /** Flags of rows whose score is at least {@code threshold}. */
    public static boolean[] detections(double[] scores, double threshold) {
        boolean[] d = new boolean[scores.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = scores[i] >= threshold;
        }
        return d;
    }

    /**
     * NAB's {@code --optimize} step, for comparison with the published scoreboard only: the
     * threshold among the distinct scores of scored rows (or "above everything") that maximises the
     * summed raw score; ties go to the higher threshold. Tuning the threshold on the scored data
     * flatters the result; the detector's own threshold is {@link #OWN_THRESHOLD}.
     *
     * @return {@code {threshold, raw score}}
     */
    public static double[] optimizeThreshold(
            List<NabFile> files, List<double[]> scores, NabProfile p) {
        List<double[]> rows = new ArrayList<>(); // {score, file, row}
        double raw = 0;
        List<double[]> current = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            NabFile file = files.get(f);
            int probation = NabScorer.probation(file.rows());
            double[] cur = new double[file.windows().size()];
            for (int k = 0; k < cur.length; k++) {
                if (file.windows().get(k)[1] >= probation) {
                    cur[k] = -p.fnWeight();
                    raw += cur[k];
                } else {
                    cur[k] = Double.NaN;
                }
            }
            current.add(cur);
            double[] s = scores.get(f);
            for (int i = probation; i < s.length; i++) {
                rows.add(new double[] {s[i], f, i});
            }
        }
        rows.sort((a, b) -> Double.compare(b[0], a[0]));
        double bestRaw = raw;
        double bestThreshold = Double.POSITIVE_INFINITY;
        int i = 0;
        while (i < rows.size()) {
            double t = rows.get(i)[0];
            while (i < rows.size() && rows.get(i)[0] == t) {
                double[] r = rows.get(i++);
                NabFile file = files.get((int) r[1]);
                int row = (int) r[2];
                raw += marginal(file, current.get((int) r[1]), row, p);
            }
            if (raw > bestRaw) {
                bestRaw = raw;
                bestThreshold = t;
            }
        }
        return new double[] {bestThreshold, bestRaw};
    }

    private static double marginal(NabFile file, double[] current, int row, NabProfile p) {
        List<int[]> windows = file.windows();
        int lastEnded = -1;
        for (int k = 0; k < windows.size(); k++) {
            int[] w = windows.get(k);
            if (row >= w[0] && row <= w[1]) {
                int width = w[1] - w[0] + 1;
                double v =
                        p.tpWeight()
                                * NabScorer.sigma(-(double) (w[1] - row + 1) / width)
                                / NabScorer.sigma(-1);
                if (Double.isNaN(current[k]) || v <= current[k]) {
                    return 0;
                }
                double gain = v - current[k];
                current[k] = v;
                return gain;
            }
            if (w[1] < row) {
                lastEnded = k;
            }
        }
        return NabScorer.falsePositiveCost(windows, lastEnded, row, p);
    }
}
