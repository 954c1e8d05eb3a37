package io.beaconflow.jobs.compare;

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of a treatment against a control, with the Hodges–Lehmann
 * shift and its distribution-free interval, computed from binned distributions ({@link Binned}: the
 * metric stage's DDSketch bins), never from raw values.
 *
 * <p><b>Test.</b> U = Σ over treatment values of (control values below it + ½ control values tied
 * with it), the number of (treatment, control) pairs where the treatment is slower, ties counting
 * ½. Under no difference E[U] = m·n/2 and, with tie groups of sizes t (here: sketch bins), Var[U] =
 * m·n/12 · ((N+1) − Σ(t³−t)/(N(N−1))). z = (U − m·n/2 ∓ ½)/σ with the continuity correction,
 * two-sided p from the normal distribution: the large-sample form of R's {@code wilcox.test(correct
 * = TRUE)} with ties and of {@code scipy.stats.mannwhitneyu(method = "asymptotic")} (Hollander,
 * Wolfe &amp; Chicken, Nonparametric Statistical Methods, 3rd ed., 2014, §4.1, eq. 4.8–4.10). Our
 * arms hold hundreds to millions of values, where the normal approximation is exact for practical
 * purposes.
 *
 * <p><b>Effect.</b> The Hodges–Lehmann estimate of the shift treatment − control is the median of
 * all m·n pairwise differences; its 1 − α interval is the pair of order statistics C and m·n + 1 −
 * C with C = m·n/2 − z(α/2)·σ (Moses' interval, same book §4.3, large-sample form, with the ties
 * variance). Both are found by bisection over the difference, each step counting pairs below it
 * with two pointers over the bins, so the cost is O(bins · 60) and never O(m·n).
 */
public final class RankTest {
    private RankTest() {}

    /** What {@link #compare} returns. */
    public static final class Result {
        /** The Mann–Whitney U of the treatment (pairs where it is larger; ties ½). */
        public double u;

        /** U / (m·n): P(treatment value &gt; control value) + ½ P(tie). */
        public double probabilityGreater;

        public double z;
        public double pValue;

        /** Hodges–Lehmann shift, treatment − control. */
        public double shift;

        public double shiftLow;
        public double shiftHigh;
    }

    /**
     * @param control the control arm (at least one value)
     * @param treatment the compared arm (at least one value)
     * @param confidence e.g. 0.95 for the interval
     */
    public static Result compare(Binned control, Binned treatment, double confidence) {
        return compareAtZ(control, treatment, Normal.quantile(1 - (1 - confidence) / 2));
    }

    /**
     * {@link #compare} with the interval at the normal quantile {@code zq} rather than a level (the
     * always-valid boundary of {@link AlwaysValid}).
     */
    public static Result compareAtZ(Binned control, Binned treatment, double zq) {
        double m = treatment.n;
        double n = control.n;
        double big = m + n;
        // U over the merged, sorted bins (equal values of the two arms are one tie group).
        double u = 0;
        double ties = 0;
        double controlBelow = 0;
        int i = 0;
        int j = 0;
        while (i < control.values.length || j < treatment.values.length) {
            double v =
                    j >= treatment.values.length
                            ? control.values[i]
                            : i >= control.values.length
                                    ? treatment.values[j]
                                    : Math.min(control.values[i], treatment.values[j]);
            double a = 0;
            double b = 0;
            if (i < control.values.length && control.values[i] == v) a = control.counts[i++];
            if (j < treatment.values.length && treatment.values[j] == v) b = treatment.counts[j++];
            u += b * (controlBelow + a / 2);
            controlBelow += a;
            double t = a + b;
            ties += t * t * t - t;
        }
        Result r = new Result();
        r.u = u;
        double pairs = m * n;
        r.probabilityGreater = u / pairs;
        double variance = pairs / 12 * ((big + 1) - ties / (big * (big - 1)));
        double mean = pairs / 2;
        if (variance <= 0) {
            // Every value in one tie group: nothing to rank.
            r.z = 0;
            r.pValue = 1;
        } else {
            double sigma = Math.sqrt(variance);
            double d = u - mean;
            double corrected = Math.signum(d) * Math.max(0, Math.abs(d) - 0.5);
            r.z = corrected / sigma;
            r.pValue = Normal.twoSidedP(r.z);
        }
        double c = Math.max(0, mean - zq * Math.sqrt(Math.max(0, variance)));
        r.shift = differenceQuantile(control, treatment, 0.5);
        // The C-th smallest difference (1-based) and the (m·n + 1 − C)-th.
        r.shiftLow = differenceQuantile(control, treatment, Math.max(0, c) / pairs);
        r.shiftHigh = differenceQuantile(control, treatment, Math.min(1, (pairs - c + 1) / pairs));
        return r;
    }

    /**
     * The smallest difference d (treatment − control) with at least {@code q} of the m·n pair
     * weight at or below it; between bins the answer is a bin difference, found by bisection to
     * 1e-9 of the range and snapped to the pair difference it converged on.
     */
    static double differenceQuantile(Binned control, Binned treatment, double q) {
        double total = control.n * treatment.n;
        double target = Math.max(q * total, 1e-12 * total);
        double lo =
                treatment.values[0] - control.values[control.values.length - 1]; // min difference
        double hi = treatment.values[treatment.values.length - 1] - control.values[0];
        if (pairsAtOrBelow(control, treatment, lo) >= target) return lo;
        for (int k = 0; k < 200 && hi - lo > 1e-9 * Math.max(1, Math.abs(hi) + Math.abs(lo)); k++) {
            double mid = lo + (hi - lo) / 2;
            if (pairsAtOrBelow(control, treatment, mid) >= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return snap(control, treatment, lo, hi);
    }

    /**
     * The pair difference y − x inside the converged bracket (lo, hi], so the answer is an exact
     * difference of bin values (0 for identical bins, not 1e-9); {@code hi} if none is found.
     */
    private static double snap(Binned control, Binned treatment, double lo, double hi) {
        double best = hi;
        double bestGap = Double.MAX_VALUE;
        for (double y : treatment.values) {
            int i = java.util.Arrays.binarySearch(control.values, y - hi);
            int from = i >= 0 ? i : -i - 1;
            for (int k = Math.max(0, from - 1);
                    k < Math.min(control.values.length, from + 2);
                    k++) {
                double d = y - control.values[k];
                double gap = Math.abs(d - hi);
                if (d > lo - 1e-12 * Math.abs(lo) && gap < bestGap) {
                    best = d;
                    bestGap = gap;
                }
            }
        }
        return bestGap <= (hi - lo) + 1e-9 * Math.max(1, Math.abs(hi)) ? best : hi;
    }

    /** Pair weight with treatment − control ≤ d. */
    static double pairsAtOrBelow(Binned control, Binned treatment, double d) {
        // For treatment value y: control values x with x ≥ y − d; y ascends, so the bound does.
        double[] cv = control.values;
        double[] cc = control.counts;
        double below = 0; // control weight with x < y − d
        int i = 0;
        double sum = 0;
        for (int j = 0; j < treatment.values.length; j++) {
            double bound = treatment.values[j] - d;
            while (i < cv.length && cv[i] < bound - 1e-12 * Math.abs(bound)) {
                below += cc[i++];
            }
            sum += treatment.counts[j] * (control.n - below);
        }
        return sum;
    }
}
