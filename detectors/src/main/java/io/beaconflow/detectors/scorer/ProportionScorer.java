package io.beaconflow.detectors.scorer;

import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.baseline.Estimate;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Proportion-aware scoring for error rates ({@code value} = errors / {@code denominator}).
 *
 * <p>The standard error of the observed rate comes from the window's own denominator, {@code
 * sqrt(p0(1 − p0)/n)}, plus τ², the between-window variance the baseline saw beyond sampling noise
 * (overdispersion: real error rates wander more than a binomial). A decision also needs the exact
 * binomial tail {@code P(X ≥ k | n, p0)} (or {@code P(X ≤ k)} downwards) to be at most the normal
 * tail at the z threshold, so tiny windows are judged by the exact distribution: 1 error in 3 views
 * against a 2 % baseline has a tail of 5.9 % and does not alarm, while 2 % → 9 % on 10,000 views is
 * dozens of standard errors away.
 *
 * <p>A baseline of exactly 0 (no errors seen yet) is lifted to half an error per typical window, so
 * the first error on a quiet route is not infinitely surprising.
 *
 * <p>Known false positives: bursts of one user retrying (many errors from one session); use
 * min_abs_change and min_volume.
 */
public final class ProportionScorer {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private ProportionScorer() {}

    /** The rate's variance floor p0(1 − p0)/n for the lifted baseline p0. */
    public static double samplingVariance(double p0, double n, double typicalVolume) {
        double p = lift(p0, typicalVolume);
        return p * (1 - p) / n;
    }

    /** The rate a thin window is judged at: p0 lifted to half an event per typical window. */
    public static double nullRate(double p0, double typicalVolume) {
        return lift(Math.min(Math.max(p0, 0), 1), typicalVolume);
    }

    private static double lift(double p0, double typicalVolume) {
        double floor = 0.5 / Math.max(1.0, typicalVolume);
        return Math.min(Math.max(p0, floor), 1 - floor);
    }

    public static Deviation score(
            Estimate e, double rate, double n, DetectorState s, DetectorSpec spec) {
        double p0 = Math.min(Math.max(e.mean(), 0), 1);
        double typical = s.ewVolume > 0 ? s.ewVolume : n;
        double sampling = samplingVariance(p0, n, typical);
        double tau2 = Math.max(0, e.sd() * e.sd() - s.ewSamplingVar);
        double floor = Math.max(spec.sdFloor(), spec.sdFloorRel() * p0);
        double spread = Math.sqrt(sampling + tau2 + floor * floor);
        double z = GaussianScorer.zOf(rate - p0, spread);
        boolean significant = Math.abs(z) >= spec.zThresholdFor(z);
        if (significant) {
            significant = exactTailAgrees(lift(p0, typical), rate, n, z > 0, spec.zThresholdFor(z));
        }
        return new Deviation(p0, spread, z, significant);
    }

    /**
     * The standard error a window contributes to <b>pooled</b> evidence ({@code PooledEvidence}):
     * sampling noise at the baseline rate lifted only to half an event in {@code scaleWindows}
     * typical windows, plus the overdispersion τ² and the floor as in {@link #score}.
     *
     * <p>Why not {@link #score}'s spread: that one lifts the rate to half an event <i>per
     * window</i>, which guards a single thin window (1 error in 4 views against 1.5 % is not a
     * 6-sigma event) but, summed over a scale, makes a 4-view-a-minute segment at 1.5 % count as if
     * it ran at 12.5 %: its variance eight times too large, so a spike from 1.5 % to 10 % for 30
     * minutes (12 errors against 1.9 expected, an exact tail of about 1e-6) pooled to z ≈ 2.6. The
     * pooled scales keep their own guard against thin-data luck: the exact binomial tail of the
     * scale's pooled errors, lifted once per scale ({@code PooledEvidence#best}).
     *
     * <p>τ² here is the variance the baseline saw beyond this sampling model: the per-window lift
     * inflated the sampling part {@code s.ewSamplingVar} subtracts, so the mean of 1/n is recovered
     * from it and the sampling part recomputed at the pooled rate.
     */
    public static double pooledSpread(
            Estimate e, double n, DetectorState s, DetectorSpec spec, int scaleWindows) {
        double p0 = Math.min(Math.max(e.mean(), 0), 1);
        double typical = s.ewVolume > 0 ? s.ewVolume : n;
        double pooled = lift(p0, typical * Math.max(1, scaleWindows));
        double perWindow = lift(p0, typical);
        double meanInverseN =
                s.ewSamplingVar > 0 ? s.ewSamplingVar / (perWindow * (1 - perWindow)) : 1 / n;
        double tau2 = Math.max(0, e.sd() * e.sd() - pooled * (1 - pooled) * meanInverseN);
        double floor = Math.max(spec.sdFloor(), spec.sdFloorRel() * p0);
        return Math.sqrt(pooled * (1 - pooled) / n + tau2 + floor * floor);
    }

    /**
     * True when the exact binomial tail of {@code round(rate·n)} events in {@code round(n)} trials
     * is at most the one-sided normal tail at {@code zThreshold}.
     */
    public static boolean exactTailAgrees(
            double p0, double rate, double n, boolean up, double zThreshold) {
        long trials = Math.round(n);
        if (trials > Integer.MAX_VALUE || trials < 1) {
            return true;
        }
        int k = (int) Math.round(rate * trials);
        BinomialDistribution b = new BinomialDistribution(null, (int) trials, p0);
        double tail = up ? 1 - b.cumulativeProbability(k - 1) : b.cumulativeProbability(k);
        return tail <= 1 - STANDARD_NORMAL.cumulativeProbability(zThreshold);
    }
}
