package io.beaconflow.detectors.evidence;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.Direction;

/**
 * Slow drift: a level that creeps over hours, such as page loads getting 2-3x slower over two or
 * three hours as a cache fills or a dependency degrades.
 *
 * <p>Why a separate test: the baseline is an EWMA with a memory of about 40 windows, so it follows
 * a ramp with a lag of only slope x 19 windows. A load time ramping to 2.5x over three hours sits
 * about 10 % above its own baseline the whole time, inside the band of every window and of every
 * pooled scale (which are tested against the same trailing baseline). Nothing alerts, and after the
 * ramp the slow level has been learned as normal.
 *
 * <p>How: two levels per series on the scorer's working scale (log for latency): a recent level (EW
 * mean of the windows, weight {@code drift.level_alpha}, ~20 windows at 0.1) and a slow reference
 * (weight {@code drift.reference_alpha}, ~400 windows, a working day of minutes, at 0.005). The
 * test is their difference {@code D = level - reference}, standardized by its own second moment
 * measured on the same series in normal operation (the calibration), so it needs no model of how
 * windows correlate or how the series wanders through the day: a series whose level normally
 * wanders far needs a larger drift. The reference learns like the baseline (not from outliers, less
 * from near-threshold windows, and from a window where {@code D} itself is beyond {@code
 * baseline.robust_z} at weight (robust_z / z)²), so the start of a ramp barely moves it; after
 * {@code baseline.relearn_after} consecutive outliers the level has really moved and the reference
 * jumps to it.
 *
 * <p>Gates (the spec's own): z_threshold, direction, min_abs_change and min_rel_change on the
 * difference of the two levels on the metric's scale, min_volume on the series' usual volume per
 * window. The test answers only after {@link #CALIBRATION_WINDOWS} calibrated windows.
 *
 * <p>Known false positives: a level that moves for good without an incident (a release that is
 * slower by design) alerts once, until relearn_after; a series whose daily cycle is steeper than
 * anything the calibration has seen, on its first day.
 */
public final class DriftEvidence {
    private DriftEvidence() {}

    /** The drift test's verdict on one window. */
    public record Verdict(
            double z, double directedZ, double reference, double level, boolean significant) {
        public static final Verdict NONE = new Verdict(0, 0, Double.NaN, Double.NaN, false);

        /** The same numbers, not significant (the baseline is still cold). */
        public Verdict quiet() {
            return new Verdict(z, directedZ, reference, level, false);
        }
    }

    /** Calibrated windows before the test answers (a few hours of one-minute windows). */
    public static final int CALIBRATION_WINDOWS = 180;

    /**
     * Windows whose drift |z| is beyond this are not folded into the calibration: {@code
     * baseline.robust_z} when set (the same line beyond which the baseline learns less), else 3.
     */
    static double calibrationLimit(DetectorSpec spec) {
        return spec.robustZ() > 0 ? spec.robustZ() : 3;
    }

    /**
     * Folds window {@code y} into the recent level and tests it against the reference (which has
     * not seen {@code y} yet).
     *
     * @param threshold the z the difference must reach (half the spec's while an alert is open)
     * @param usualVolume the series' usual volume per window, NaN when it has none
     */
    public static Verdict observe(
            DetectorState s, DetectorSpec spec, double y, double threshold, double usualVolume) {
        if (s.driftCount == 0) {
            s.driftLevel = y;
            s.driftReference = y;
        } else {
            double a = Math.max(spec.drift().levelAlpha(), 1.0 / (s.driftCount + 1));
            s.driftLevel += a * (y - s.driftLevel);
        }
        double d = s.driftLevel - s.driftReference;
        double z = d / Math.sqrt(Math.max(s.driftM2, floorVariance(spec)));
        double reference = spec.toOriginal(s.driftReference);
        double level = spec.toOriginal(s.driftLevel);
        double delta = level - reference;
        // A drift the spec does not alert on (faster pages when only slower ones alert) is not
        // held back from the baselines either.
        double directed = spec.direction().accepts(delta) ? z : 0;
        if (s.driftM2Count < CALIBRATION_WINDOWS) {
            return new Verdict(z, directed, reference, level, false);
        }
        boolean ok =
                Math.abs(z) >= threshold
                        && spec.direction().accepts(delta)
                        && Math.signum(z) == Math.signum(delta)
                        && Math.abs(delta) >= spec.minAbsChange()
                        && Math.abs(delta)
                                >= spec.drift().minRelChangeOr(spec.minRelChange())
                                        * Math.abs(reference)
                        && (spec.minVolume() <= 0
                                || Double.isNaN(usualVolume)
                                || usualVolume >= spec.minVolume());
        return new Verdict(z, directed, reference, level, ok);
    }

    /**
     * Folds window {@code y} into the reference at {@code weight} (the baseline's learning weight
     * for this window), and the current difference into the calibration when {@code normal}.
     *
     * @param z this window's drift z from {@link #observe}
     * @param directedZ the same, 0 when the spec's direction does not alert on it
     * @param relearn the level has really moved ({@code relearn_after}): the reference jumps to it
     */
    public static void learn(
            DetectorState s,
            DetectorSpec spec,
            double y,
            double z,
            double directedZ,
            double weight,
            boolean normal,
            boolean relearn) {
        if (normal
                && (s.driftM2Count < CALIBRATION_WINDOWS
                        || Math.abs(z) <= calibrationLimit(spec))) {
            // The difference the window was tested with (before the reference learns it). A
            // window beyond the limit is left out, not capped: a drift keeps the difference
            // beyond it for hours, and even capped values would widen the calibration by a few
            // per cent a window until the drift looked normal (a 2.5x ramp over three hours
            // widened it eightfold and never alerted).
            double d = s.driftLevel - s.driftReference;
            double a = Math.max(spec.drift().referenceAlpha(), 1.0 / (s.driftM2Count + 1));
            s.driftM2 += a * (d * d - s.driftM2);
            s.driftM2Count++;
        }
        if (relearn) {
            s.driftReference = s.driftLevel;
        } else {
            double w = weight;
            if (spec.robustZ() > 0 && Math.abs(directedZ) > spec.robustZ()) {
                double r = spec.robustZ() / Math.abs(directedZ);
                w *= r * r;
            }
            double a = Math.max(spec.drift().referenceAlpha(), 1.0 / (s.driftCount + 1));
            s.driftReference += a * w * (y - s.driftReference);
        }
        // Only rises alert (direction up): the reference is never further above the recent level
        // than the calibration's limit, so after a level falls (an incident ended, pages got
        // faster) the next rise is measured from near where the series is, not from where it was
        // hours ago. Likewise for direction down. (Clamping at the level itself biased the
        // difference and widened the calibration by half.)
        double slack = calibrationLimit(spec) * Math.sqrt(Math.max(s.driftM2, floorVariance(spec)));
        if (spec.direction() == Direction.UP) {
            s.driftReference = Math.min(s.driftReference, s.driftLevel + slack);
        } else if (spec.direction() == Direction.DOWN) {
            s.driftReference = Math.max(s.driftReference, s.driftLevel - slack);
        }
        s.driftCount++;
    }

    /**
     * The window as the two levels see it: within {@code calibrationLimit} standard errors of the
     * window's own expectation. A thin segment's percentile has a heavy tail (one slow visitor
     * makes its p75); unclipped, those windows carried the recent level past the reference about
     * once a day per series (15 false alerts a day on three held-out runs, mostly INP on small
     * segments). A drift is not clipped away: the baseline follows it, so each window stays near
     * its band.
     */
    public static double clip(DetectorSpec spec, double y, double expected, double spread) {
        if (!(spread > 0) || Double.isNaN(expected)) {
            return y;
        }
        double limit = calibrationLimit(spec) * spread;
        return Math.max(expected - limit, Math.min(expected + limit, y));
    }

    /** An alert closed: its drift is spent, the recent level restarts at the reference. */
    public static void reset(DetectorState s) {
        s.driftLevel = s.driftReference;
    }

    /**
     * Smallest variance of the difference: what sd_floor per window leaves in an EW mean of
     * independent windows (so a very steady series does not alert on jitter).
     */
    static double floorVariance(DetectorSpec spec) {
        double a = spec.drift().levelAlpha();
        double floor = spec.sdFloor() * Math.sqrt(a / (2 - a));
        return Math.max(floor * floor, 1e-12);
    }
}
