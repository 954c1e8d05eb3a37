package io.beaconflow.detectors.baseline;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorState;

/**
 * Exponentially weighted mean and variance of the recent points.
 *
 * <p>Update (Finch 2009, "Incremental calculation of weighted mean and variance"): with {@code d =
 * x − mean}, {@code mean += a·d} and {@code var = (1 − a)·(var + a·d²)}. This never subtracts two
 * large sums, so it stays accurate in double for values around 1e9 with small spread. The weight is
 * {@code a = max(alpha, 1/n)}: the first 1/alpha points give exactly the running mean and the
 * population variance (no bias towards the first value), later points an EW estimate. The result
 * equals the weighted mean and weighted population variance with weights summing to 1, which the
 * tests check against Commons Math.
 *
 * <p>Knobs: {@code baseline.alpha} (memory ≈ 2/alpha points), {@code baseline.min_points} (history
 * before it answers). Known false positives: right after a level shift, until relearning.
 */
public final class EwmaBaseline {
    private EwmaBaseline() {}

    /**
     * Folds {@code x} in with relative weight {@code weight} in [0, 1] (0 = skip, used to keep
     * anomalies from poisoning the baseline).
     */
    public static void update(DetectorState s, double x, double alpha, double weight) {
        update(s, x, alpha, weight, weight);
    }

    /**
     * As {@link #update(DetectorState, double, double, double)}, with the variance learned at its
     * own relative weight {@code spreadWeight} in [0, weight] (0: the spread is left as it is).
     */
    public static void update(
            DetectorState s, double x, double alpha, double weight, double spreadWeight) {
        update(s, x, alpha, alpha, weight, spreadWeight);
    }

    /**
     * As {@link #update(DetectorState, double, double, double, double)}, with the variance's own
     * weight of a new point {@code spreadAlpha} (memory ≈ 2/spreadAlpha points), from the point
     * {@link #spreadStep} says.
     */
    public static void update(
            DetectorState s,
            double x,
            double alpha,
            double spreadAlpha,
            double weight,
            double spreadWeight) {
        if (weight <= 0) {
            return;
        }
        if (s.ewmaCount == 0) {
            s.ewmaMean = x;
            s.ewmaVar = 0;
            s.ewmaCount = 1;
            return;
        }
        double step = Math.max(alpha, 1.0 / (s.ewmaCount + 1));
        double a = weight * step;
        double d = x - s.ewmaMean;
        s.ewmaMean += a * d;
        double b = spreadWeight * spreadStep(step, spreadAlpha, s.ewmaCount);
        s.ewmaVar = (1 - b) * (s.ewmaVar + d * (b * d));
        s.ewmaCount++;
    }

    /**
     * The spread's weight of a new point: the mean's {@code step} until the series has seen about
     * 1/spreadAlpha points, then {@code spreadAlpha}. A series' first windows (a job's start, its
     * traffic still building up) are then forgotten as fast as the mean forgets them, and the
     * slower memory applies from there on; with {@code spreadAlpha == alpha} it is the mean's step.
     */
    public static double spreadStep(double step, double spreadAlpha, long count) {
        return count < 1 / spreadAlpha ? step : Math.min(step, spreadAlpha);
    }

    /** The EWMA estimate, or {@link Estimate#NONE} before {@code minPoints} points. */
    public static Estimate estimate(DetectorState s, int minPoints) {
        if (s.ewmaCount < minPoints) {
            return Estimate.NONE;
        }
        return new Estimate(BaselineKind.EWMA, s.ewmaMean, Math.sqrt(Math.max(0, s.ewmaVar)));
    }
}
