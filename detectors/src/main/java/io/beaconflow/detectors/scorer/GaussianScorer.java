package io.beaconflow.detectors.scorer;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.baseline.Estimate;

/**
 * Gaussian z-score for latency-like values: {@code z = (y − mean) / spread} on the working scale
 * (log scale with {@code transform: log}, where a ratio such as "p75 doubled" is the same distance
 * whatever the usual latency).
 *
 * <p>The spread is the baseline's standard deviation, floored by {@code sd_floor} and {@code
 * sd_floor_rel × |mean|} (a flat series would otherwise alarm on any wiggle). When the point
 * carries a volume (the number of samples behind the percentile), a window with less volume than
 * usual gets a proportionally wider band: the variance of a window statistic grows like 1/n.
 *
 * <p>With {@code smoothing_alpha > 0} a fast EW mean of the points is also tested against the
 * baseline (an EWMA control chart): a sustained shift too small for any single point still crosses
 * the threshold after a few points.
 *
 * <p>Known false positives: heavy-tailed series on a linear scale (use log), and bursts right after
 * a long flat stretch (raise sd_floor_rel).
 */
public final class GaussianScorer {
    private GaussianScorer() {}

    public static Deviation score(
            Estimate e, double y, double denominator, DetectorState s, DetectorSpec spec) {
        double spread = spread(e, denominator, s, spec);
        double z = zOf(y - e.mean(), spread);
        if (spec.smoothingAlpha() > 0 && s.fastCount > 0) {
            double a = spec.smoothingAlpha();
            double fast = s.fastMean + a * (y - s.fastMean);
            // Variance of an EW mean of independent points is a/(2−a) times the point variance.
            double zFast = zOf(fast - e.mean(), spread * Math.sqrt(a / (2 - a)));
            // Only a fast mean that agrees in sign with the point counts: a recovery must not
            // re-trigger on the lagging smoother.
            if (Math.abs(zFast) > Math.abs(z) && Math.signum(zFast) == Math.signum(y - e.mean())) {
                z = zFast;
            }
        }
        return new Deviation(e.mean(), spread, z, Math.abs(z) >= spec.zThresholdFor(z));
    }

    static double spread(Estimate e, double denominator, DetectorState s, DetectorSpec spec) {
        double spread =
                Math.max(e.sd(), Math.max(spec.sdFloor(), spec.sdFloorRel() * Math.abs(e.mean())));
        if (denominator > 0 && s.ewVolume > 0 && denominator < s.ewVolume) {
            spread *= Math.sqrt(s.ewVolume / denominator);
        }
        return spread;
    }

    static double zOf(double delta, double spread) {
        if (delta == 0) {
            return 0;
        }
        if (spread > 0) {
            return delta / spread;
        }
        return delta > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
}
