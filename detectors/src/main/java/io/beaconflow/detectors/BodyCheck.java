package io.beaconflow.detectors;

/**
 * Whether the body of a window's distribution moved with its tail ({@code body_share}): a rise of a
 * percentile above the median (a p75, a p95) counts in one window only when the same window's
 * median carries at least that share of the rise, on the working (log) scale.
 *
 * <p>Why. A p75 of twenty page loads is made by its five slowest, and on a segment of a few dozen
 * visitors a minute those are one to three visitors. When a few slow connections land in the same
 * minute the p75 triples while the median moves a little (the slow loads only push it up by the
 * ranks they take), and the window's z (6-13 on the log scale against a spread learned from
 * ordinary minutes) passes any threshold a budget allows; two such minutes close together opened
 * most of the false alerts on held-out traffic (docs/detector-quality.md). A regression of the
 * segment (a slower backend, a heavier page, a slower release) slows most of its loads, so its
 * median moves about as far as its p75 (a fixed delay added to every load moves the median further,
 * on the log scale).
 *
 * <p>How. The median expected under this percentile is the percentile's expectation minus the usual
 * distance between the two on the working scale ({@link DetectorState#bodyGap}, an EW mean learned
 * at the baseline's weight, so incidents do not teach it). The window's share is the median's rise
 * over that, divided by the percentile's rise over its expectation. Until the gap has {@code
 * baseline.min_points} windows, or when the row carries no median, the check does not apply.
 *
 * <p>Why a share and not the median's own z: in a thin window the slow loads displace the median by
 * the ranks they occupy, so a tail of seven slow loads in twenty lifts the median by two standard
 * errors as well; what tells the two apart is how much of the rise the body carries (all of it in a
 * regression, a quarter or less for a tail).
 *
 * <p>What it does not do: it only gates the window's own test of a rise. A tail-only regression (a
 * quarter of the loads slower, the median unchanged) still alerts through the pooled scales, a few
 * windows later; an open alert is held by its windows as before.
 *
 * <p>Knob: {@code body_share} in [0, 1] (0 = off). 0.5: the body carries at least half.
 */
final class BodyCheck {
    private BodyCheck() {}

    /**
     * The share of the percentile's rise the window's median carries, or NaN when it cannot be
     * judged (no median, the gap not learned yet, the check off, no rise).
     *
     * @param y the percentile on the working scale
     * @param body the window's median in original units (NaN when the row has none)
     * @param expected the percentile's expectation on the working scale
     */
    static double share(
            DetectorSpec spec, DetectorState s, double y, double body, double expected) {
        double rise = y - expected;
        if (spec.bodyShare() <= 0
                || Double.isNaN(body)
                || s.bodyGapCount < spec.minPoints()
                || !(rise > 0)) {
            return Double.NaN;
        }
        double expectedBody = expected - s.bodyGap;
        return (spec.toWorking(body) - expectedBody) / rise;
    }

    /** True when the check is off, cannot judge, or the median carries enough of the rise. */
    static boolean agrees(DetectorSpec spec, double share) {
        return Double.isNaN(share) || share >= spec.bodyShare();
    }

    /**
     * Folds this window's distance between percentile and median into the gap, at the weight the
     * baseline learned the window at (an incident's windows are not learned).
     */
    static void learn(DetectorSpec spec, DetectorState s, double y, double body, double weight) {
        if (spec.bodyShare() <= 0 || Double.isNaN(body) || !(weight > 0)) {
            return;
        }
        double gap = y - spec.toWorking(body);
        if (Double.isNaN(gap) || Double.isInfinite(gap)) {
            return;
        }
        // A running mean until it has min_points windows, then the baseline's alpha (as the EWMA).
        double a = Math.max(spec.alpha(), 1.0 / (s.bodyGapCount + 1)) * weight;
        s.bodyGap = s.bodyGapCount == 0 ? gap : s.bodyGap + a * (gap - s.bodyGap);
        s.bodyGapCount++;
    }
}
