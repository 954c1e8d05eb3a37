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
        boolean significant = Math.abs(z) >= spec.zThreshold();
        if (significant && lambda < EXACT_BELOW && variance <= lambda * 1.0000001) {
            significant = exactTailAgrees(lambda, count, z > 0, spec.zThreshold());
        }
        return new Deviation(lambda, spread, z, significant);
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
