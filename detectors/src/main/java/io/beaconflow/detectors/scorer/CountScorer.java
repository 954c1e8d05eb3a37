package io.beaconflow.detectors.scorer;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.baseline.Estimate;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;

/**
 * Count-aware scoring for throughput (page views, events, fetches per window), both directions.
 *
 * <p>The variance is at least the expected count λ (Poisson), or the baseline's observed variance
 * when traffic is overdispersed: {@code spread = sqrt(max(λ, sd²))}. So a route with 4 views a
 * minute has a relative band of ±(z/2)·100 %, while 40,000 views a minute has a tight one; low
 * volume means wider bands, not more alerts. Below 10,000 expected events the exact Poisson tail
 * must also agree (the normal approximation is poor for small λ).
 *
 * <p>Known false positives: marketing pushes and bot waves (real, but not incidents); holidays on a
 * weekly seasonal baseline.
 */
public final class CountScorer {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);
    private static final double EXACT_BELOW = 10_000;

    private CountScorer() {}

    public static Deviation score(Estimate e, double count, DetectorState s, DetectorSpec spec) {
        double lambda = Math.max(e.mean(), 0);
        double floor = Math.max(spec.sdFloor(), spec.sdFloorRel() * lambda);
        double variance = Math.max(Math.max(lambda, e.sd() * e.sd()), floor * floor);
        double spread = Math.sqrt(variance);
        double z = GaussianScorer.zOf(count - lambda, spread);
        boolean significant = Math.abs(z) >= spec.zThresholdFor(z);
        if (significant && lambda < EXACT_BELOW && variance <= lambda * 1.0000001) {
            significant = exactTailAgrees(lambda, count, z > 0, spec.zThresholdFor(z));
        }
        return new Deviation(lambda, spread, z, significant);
    }

    /**
     * For a count scored on Anscombe's square-root scale ({@code exact_counts}): whether its exact
     * Poisson tail is as extreme as {@code zThreshold}, at the dispersion the baseline learned.
     *
     * <p>On that scale a Poisson count has spread 1 whatever its mean; a count that is a Poisson
     * count times a factor φ (a sampled app's views weighted by 1/rate, or visitors' views coming
     * in clusters) has spread √φ. So φ = spread², and the count is φ × Poisson(expected / φ). The
     * Gaussian tail on the square-root scale is good for large means and far too confident for
     * small ones: a news site's country sampled at 25 % (weight 4) expecting 22 weighted views a
     * minute, 5.5 received, reads an empty minute as −4.1 sigma, while five and a half expected
     * arrivals give none in 0.4 % of minutes (2.6 sigma).
     *
     * @param expected the expected count (original scale, weighted)
     * @param count the observed count (original scale, weighted)
     * @param spread the spread on the square-root scale (at least 1: no count is tighter than
     *     Poisson)
     */
    public static boolean quasiPoissonAgrees(
            double expected, double count, double spread, double zThreshold) {
        double phi = Math.max(1, spread * spread);
        double lambda = Math.max(expected, 0) / phi;
        if (lambda >= EXACT_BELOW) {
            return true; // the normal approximation holds
        }
        return exactTailAgrees(lambda, count / phi, count > expected, zThreshold);
    }

    static boolean exactTailAgrees(double lambda, double count, boolean up, double zThreshold) {
        double limit = 1 - STANDARD_NORMAL.cumulativeProbability(zThreshold);
        int k = (int) Math.round(count);
        if (lambda <= 0) {
            return up && k > 0;
        }
        PoissonDistribution p = new PoissonDistribution(null, lambda, 1e-12, 10_000_000);
        double tail = up ? 1 - p.cumulativeProbability(k - 1) : p.cumulativeProbability(k);
        return tail <= limit;
    }
}
