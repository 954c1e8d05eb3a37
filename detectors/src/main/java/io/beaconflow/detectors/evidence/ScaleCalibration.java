package io.beaconflow.detectors.evidence;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.ScorerKind;

/**
 * How far each pooled scale of {@link PooledEvidence} leans in normal operation, learned per series
 * and scale, and the factor its raw z is divided by ({@link #scaleInflation}). Pooling assumes
 * independent windows; real residuals are correlated, so what a scale's z reaches in ordinary
 * traffic is measured instead of assumed ({@link #inflation}), and a scale with too little of that
 * history leans on the worst case ({@code √l}).
 *
 * <p>Knobs: none of its own; {@code evidence.cap} bounds what one window brings, and the z
 * threshold caps what one value teaches ({@link #calibrate}). Learning rate and prior are the
 * constants below. State: {@code evidenceZ2}, {@code evidenceZ2Count} and the pending rows of
 * {@link DetectorState}.
 */
public final class ScaleCalibration {
    private ScaleCalibration() {}

    /**
     * Weight of a new value in a scale's calibration: memory of about 400 windows (a working day at
     * one-minute windows), and a prior of {@link #PRIOR_WEIGHT} values at 1 (independent windows)
     * so the first few, strongly overlapping, pooled values do not decide alone.
     */
    static final double CALIBRATION_ALPHA = 0.005;

    static final int PRIOR_WEIGHT = 20;

    /**
     * A scale of {@code l} windows is calibrated once its calibration has seen {@link
     * #CALIBRATION_SPANS} of its spans in normal operation: until then its measured inflation is a
     * guess, and {@link #scaleInflation} leans on the worst case instead.
     */
    static boolean calibrated(DetectorState s, int k, int l) {
        return s.evidenceZ2Count != null
                && k < s.evidenceZ2Count.length
                && s.evidenceZ2Count[k] >= (long) CALIBRATION_SPANS * l;
    }

    static final int CALIBRATION_SPANS = 10;

    /**
     * The factor scale {@code k} of {@code l} windows is divided by, from its first window on:
     * {@link #inflation} once the scale is {@link #calibrated}; before that, a blend that starts at
     * {@code √l} and moves to the measured value as the calibration fills (its second moment is
     * {@code (1 − f)·l + f·m²}, {@code f} the share of the {@link #CALIBRATION_SPANS} spans seen).
     *
     * <p>Why {@code √l}: it is the worst case. Windows that are each standard normal pool to a
     * second moment of at most {@code l} (all perfectly correlated), so an uncalibrated scale
     * divided by {@code √l} tests the windows' weighted mean z against the threshold: it passes
     * only when its windows are, on average, as far out as one window must be alone. It still adds
     * what one window cannot: the pooled volume (a thin endpoint's 8-16 calls a minute never pass a
     * 20-call gate alone) and the pooled exact tail. Before, an uncalibrated scale did not answer
     * at all, and a proportion's scales calibrate late ({@link #calibrate}), so for the first hour
     * or so after a job started with empty state a thin series could not alert: shop-web's suggest
     * API failing on half its calls one hour in (eval-3) was missed in 4 seeds of 5, its windows at
     * 4-10 standard errors each. The blend keeps the calibrated answer unchanged and has no jump.
     */
    static double scaleInflation(DetectorState s, int k, int l) {
        double measured = inflation(s, k);
        if (l <= 1 || calibrated(s, k, l)) {
            return measured;
        }
        long seen =
                s.evidenceZ2Count == null || k >= s.evidenceZ2Count.length
                        ? 0
                        : s.evidenceZ2Count[k];
        double f = seen / ((double) CALIBRATION_SPANS * l);
        return Math.sqrt((1 - f) * l + f * measured * measured);
    }

    /**
     * The factor the raw pooled z of scale {@code k} is divided by: the square root of its second
     * moment in normal operation, at least 1. Pooling assumes independent windows with the spread
     * the scorer gave them; real residuals are correlated (a baseline trailing a daily ramp leaves
     * a run of same-signed residuals, a slowly wandering latency too), and then the pooled sum
     * grows like L, not √L. The calibration measures that instead of assuming it, per series and
     * scale, so a wandering series simply needs more evidence.
     */
    static double inflation(DetectorState s, int k) {
        if (s.evidenceZ2 == null || k >= s.evidenceZ2.length) {
            return 1;
        }
        double n = s.evidenceZ2Count[k];
        double m2 = (PRIOR_WEIGHT * 1.0 + n * s.evidenceZ2[k]) / (PRIOR_WEIGHT + n);
        if (n * CALIBRATION_ALPHA > 1) {
            m2 = s.evidenceZ2[k];
        }
        return Math.sqrt(Math.max(1, m2));
    }

    /**
     * Hands the current raw pooled z of every scale to its calibration; call for windows that are
     * not part of an anomaly. Each value is capped at {@code cap²} so a lone excursion does not
     * blind the series for a day.
     *
     * <p>Proportions (error rates, shares of good vitals) learn late ({@link #learnsLate}): their
     * values are folded in only {@code evidence.max_windows} windows later, and dropped if pooled
     * evidence or an alert comes first ({@link #discardPending}). Why: a regression on a segment is
     * a run of windows each below the threshold, whose pooled z climbs over 10-30 windows; folded
     * in at once, those windows widened the very calibration they were judged by (news-web US, a
     * 1.6x latency for 45 minutes: the 16-window inflation of its {@code load_p75} went from 1.35
     * to 2.1 while the evidence added up; its {@code lcp_good_share} now finds it). Learning late,
     * a scale is judged by a calibration that holds none of the windows of its own span; normal
     * windows are all learned, one longest scale late.
     *
     * <p>Why not percentiles: a segment's p75 has excursions of 5-10 windows in normal operation (a
     * few slow visitors, a change in who is browsing), and folding them in at once is what widens
     * the scale before such an excursion passes: learning late, the p75s of the shared scenario
     * files raised 23 more false alerts in 18 simulated days, the proportions 2
     * (docs/detector-quality.md, session 2026-12-05 (3)). A proportion's windows are binomial
     * counts whose overdispersion the baseline measures, so their pooled z has no such tail.
     */
    public static void calibrate(DetectorState s, DetectorSpec spec, double cap) {
        calibrate(s, spec, cap, null);
    }

    /**
     * {@link #calibrate(DetectorState, DetectorSpec, double)} with the raw z of each scale that
     * {@link PooledEvidence#best(DetectorState, DetectorSpec, int, double, int, double[])} already
     * computed on the same ring (NaN where it did not; null: none). The anchored scans are the
     * pooled detector's cost, and the calibration repeated every one of them on the same windows.
     */
    public static void calibrate(DetectorState s, DetectorSpec spec, double cap, double[] known) {
        if (s.evidenceResidual == null || s.evidenceZ2 == null) {
            return;
        }
        int n = s.evidenceResidual.length;
        int scales = s.evidenceZ2.length;
        boolean late = learnsLate(spec);
        int row = 0;
        if (late) {
            if (s.evidenceZ2Pending == null || s.evidenceZ2Pending.length != n * scales) {
                // (none: state from a version that learned at once; it starts with nothing pending)
                s.evidenceZ2Pending = new double[n * scales];
                s.evidencePendingWritten = 0;
                s.evidencePendingCount = 0;
            }
            row = (int) (s.evidencePendingWritten % n) * scales;
            if (s.evidencePendingCount == n) {
                // The oldest row is in the slot the new one takes.
                for (int k = 0; k < scales; k++) {
                    fold(s, k, s.evidenceZ2Pending[row + k]);
                }
                s.evidencePendingCount--;
            }
            // a scale longer than the ring's history has no value
            java.util.Arrays.fill(s.evidenceZ2Pending, row, row + scales, Double.NaN);
            s.evidencePendingWritten++;
            s.evidencePendingCount++;
        }
        int[] lengths = spec.evidence().scales();
        for (int k = 0; k < scales && k < lengths.length; k++) {
            int l = lengths[k];
            if (l > n || l > s.evidenceWritten) {
                break;
            }
            double z =
                    known != null && k < known.length && !Double.isNaN(known[k])
                            ? known[k]
                            : PooledEvidence.rawZ(s, spec, l);
            double z2 = Math.min(z * z, cap * cap);
            if (late) {
                s.evidenceZ2Pending[row + k] = z2;
            } else {
                fold(s, k, z2);
            }
        }
    }

    /** Whether the scales' calibration learns late (see {@link #calibrate}): proportions only. */
    public static boolean learnsLate(DetectorSpec spec) {
        return spec.scorer() == ScorerKind.PROPORTION;
    }

    /**
     * Drops the values not yet folded into the calibration: the windows before pooled evidence or
     * an alert are its build-up, not normal operation.
     */
    public static void discardPending(DetectorState s) {
        s.evidencePendingCount = 0;
    }

    private static void fold(DetectorState s, int k, double z2) {
        if (Double.isNaN(z2)) {
            return;
        }
        long count = s.evidenceZ2Count[k];
        double alpha = Math.max(CALIBRATION_ALPHA, 1.0 / (count + 1));
        s.evidenceZ2[k] = count == 0 ? z2 : s.evidenceZ2[k] + alpha * (z2 - s.evidenceZ2[k]);
        s.evidenceZ2Count[k] = count + 1;
    }
}
