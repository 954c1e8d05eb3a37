package io.beaconflow.detectors.nab;

import java.util.List;

/**
 * The NAB v1.1 scoring rule, implemented from its definition (Lavin & Ahmad 2015 and the arithmetic
 * of NAB's sweeper, as described in data/nab/README.md):
 *
 * <ul>
 *   <li>the first {@code min(floor(0.15·N), 750)} rows are probationary and never scored;
 *   <li>a window earns its earliest detection's {@code A_TP·σ(x)/σ(−1)} with {@code x = −(r − i +
 *       1)/w}, or {@code −A_FN} when it has none;
 *   <li>every detection outside windows costs {@code A_FP·σ((i − r')/(w' − 1))} after the last
 *       window that ended before it, or {@code −A_FP} when none has ended;
 *   <li>{@code σ(x) = 2/(1 + e^{5x}) − 1} for {@code x ≤ 3}, else −1.
 * </ul>
 */
public final class NabScorer {
    private static final double SIGMA_MINUS_ONE = sigma(-1);

    private NabScorer() {}

    /** The scaled sigmoid of NAB. */
    public static double sigma(double x) {
        if (x > 3) {
            return -1;
        }
        return 2 / (1 + Math.exp(5 * x)) - 1;
    }

    /** Probationary rows for a file of {@code rows} rows. */
    public static int probation(int rows) {
        return (int) Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
    }

    /**
     * Raw score of one file and its row counts (after probation).
     *
     * @param detections one flag per row, true when the detector fired on the row
     */
    public static FileScore score(
            int rows, List<int[]> windows, boolean[] detections, NabProfile p) {
        if (detections.length != rows) {
            throw new IllegalArgumentException(
                    "got " + detections.length + " detections for " + rows + " rows");
        }
        int probation = probation(rows);
        int[] windowOf = new int[rows];
        java.util.Arrays.fill(windowOf, -1);
        for (int k = 0; k < windows.size(); k++) {
            int[] w = windows.get(k);
            for (int i = w[0]; i <= w[1]; i++) {
                windowOf[i] = k;
            }
        }
        double[] best = new double[windows.size()];
        boolean[] hit = new boolean[windows.size()];
        double fpCost = 0;
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        int lastEnded = -1; // index of the most recent window whose last row is before i
        for (int i = probation; i < rows; i++) {
            while (lastEnded + 1 < windows.size() && windows.get(lastEnded + 1)[1] < i) {
                lastEnded++;
            }
            int k = windowOf[i];
            if (k >= 0) {
                if (detections[i]) {
                    tp++;
                    if (!hit[k]) {
                        int[] w = windows.get(k);
                        int width = w[1] - w[0] + 1;
                        double x = -(double) (w[1] - i + 1) / width;
                        best[k] = p.tpWeight() * sigma(x) / SIGMA_MINUS_ONE;
                        hit[k] = true;
                    }
                } else {
                    fn++;
                }
            } else if (detections[i]) {
                fp++;
                fpCost += falsePositiveCost(windows, lastEnded, i, p);
            } else {
                tn++;
            }
        }
        double raw = fpCost;
        int counted = 0;
        for (int k = 0; k < windows.size(); k++) {
            if (windows.get(k)[1] < probation) {
                continue; // entirely probationary: NAB does not count it
            }
            counted++;
            raw += hit[k] ? best[k] : -p.fnWeight();
        }
        return new FileScore(raw, counted, tp, fp, fn, tn);
    }

    static double falsePositiveCost(List<int[]> windows, int lastEnded, int i, NabProfile p) {
        if (lastEnded < 0) {
            return -p.fpWeight();
        }
        int[] w = windows.get(lastEnded);
        int width = w[1] - w[0] + 1;
        double d = (double) (i - w[1]) / (width - 1);
        return p.fpWeight() * sigma(d);
    }

    /** Normalised score: 100 × (raw − null) / (perfect − null), null = −A_FN per window. */
    public static double normalize(double raw, int windows, NabProfile p) {
        double perfect = windows * p.tpWeight();
        double nul = -windows * p.fnWeight();
        return 100 * (raw - nul) / (perfect - nul);
    }

    /**
     * A file's raw score and row counts after probation.
     *
     * @param raw the raw score
     * @param windows windows that count (not entirely probationary)
     * @param tp detections inside windows
     * @param fp detections outside windows
     * @param fn undetected rows inside windows
     * @param tn undetected rows outside windows
     */
    public record FileScore(double raw, int windows, long tp, long fp, long fn, long tn) {
        public FileScore plus(FileScore o) {
            return new FileScore(
                    raw + o.raw, windows + o.windows, tp + o.tp, fp + o.fp, fn + o.fn, tn + o.tn);
        }

        public static final FileScore ZERO = new FileScore(0, 0, 0, 0, 0, 0);
    }
}
