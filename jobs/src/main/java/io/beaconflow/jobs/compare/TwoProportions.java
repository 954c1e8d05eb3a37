package io.beaconflow.jobs.compare;

import org.apache.commons.math3.special.Gamma;

/**
 * Two-proportion comparison of a treatment (x₁ of n₁) against a control (x₂ of n₂): the p-value,
 * the difference p₁ − p₂ and the relative change p₁/p₂ − 1, each with an interval.
 *
 * <p><b>p-value.</b> The pooled two-proportion z-test (equal to Pearson's χ² without continuity
 * correction, R {@code prop.test(correct = FALSE)}) when every expected cell count is at least 5;
 * otherwise Fisher's exact test, two-sided by summing the hypergeometric probabilities not above
 * the observed one (R {@code fisher.test}, {@code scipy.stats.fisher_exact}). Error rates are small
 * (a few per cent), so an arm with a few hundred views has expected error counts below 5, where the
 * z-test's normal approximation is poor.
 *
 * <p><b>Difference interval: Newcombe's hybrid score interval</b> (method 10 of R. G. Newcombe,
 * "Interval estimation for the difference between independent proportions: comparison of eleven
 * methods", Statistics in Medicine 17:873–890, 1998), built from the two Wilson score intervals.
 * Chosen over Wald because Wald collapses to zero width at x = 0 and undercovers for rates near 0,
 * which is exactly where error rates live; over Agresti–Caffo because it stays inside [−1, 1] and
 * needs no pseudo-counts, and Newcombe's paper tabulates reference values we test against.
 *
 * <p><b>Relative change interval:</b> Katz's log interval for the ratio (D. Katz et al., Biometrics
 * 34:469–474, 1978): ln(p₁/p₂) ± z·√(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂), with ½ added to every cell when a
 * count is 0 (Haldane), minus 1. Undefined (null) when the control rate is 0.
 */
public final class TwoProportions {
    private TwoProportions() {}

    /** Expected counts below this in any cell switch the p-value to Fisher's exact test. */
    static final double MIN_EXPECTED_FOR_Z = 5;

    /** What {@link #compare} returns. */
    public static final class Result {
        public double treatmentRate;
        public double controlRate;
        public double diff;
        public double diffLow;
        public double diffHigh;

        /** p₁/p₂ − 1 and its interval; null when the control rate is 0. */
        public Double relative;

        public Double relativeLow;
        public Double relativeHigh;
        public double pValue;

        /** {@code z} or {@code fisher}. */
        public String method;
    }

    /**
     * @param x1 treatment successes (events counted, e.g. errors), 0 ≤ x1 ≤ n1
     * @param n1 treatment trials (&gt; 0)
     * @param x2 control successes
     * @param n2 control trials (&gt; 0)
     */
    public static Result compare(long x1, long n1, long x2, long n2, double confidence) {
        return compareAtZ(x1, n1, x2, n2, Normal.quantile(1 - (1 - confidence) / 2));
    }

    /**
     * {@link #compare} with the intervals at the normal quantile {@code z} rather than a level: the
     * always-valid boundary ({@link AlwaysValid}) can lie beyond what a level in double resolves.
     */
    public static Result compareAtZ(long x1, long n1, long x2, long n2, double z) {
        if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) {
            throw new IllegalArgumentException(
                    "need 0 <= x <= n and n > 0: " + x1 + "/" + n1 + ", " + x2 + "/" + n2);
        }
        Result r = new Result();
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        r.treatmentRate = p1;
        r.controlRate = p2;
        r.diff = p1 - p2;
        double[] w1 = wilson(x1, n1, z);
        double[] w2 = wilson(x2, n2, z);
        r.diffLow = r.diff - Math.sqrt(sq(p1 - w1[0]) + sq(w2[1] - p2));
        r.diffHigh = r.diff + Math.sqrt(sq(w1[1] - p1) + sq(p2 - w2[0]));
        if (x2 > 0) {
            double a = x1;
            double b = x2;
            double m1 = n1;
            double m2 = n2;
            if (x1 == 0 || x1 == n1 || x2 == n2) {
                a += 0.5;
                b += 0.5;
                m1 += 1;
                m2 += 1;
            }
            double logRatio = Math.log((a / m1) / (b / m2));
            double se = Math.sqrt(1 / a - 1 / m1 + 1 / b - 1 / m2);
            r.relative = p1 / p2 - 1;
            r.relativeLow = Math.exp(logRatio - z * se) - 1;
            r.relativeHigh = Math.exp(logRatio + z * se) - 1;
        }
        long successes = x1 + x2;
        long total = n1 + n2;
        double minExpected =
                Math.min(
                        Math.min(n1, n2) * (double) successes / total,
                        Math.min(n1, n2) * (double) (total - successes) / total);
        if (minExpected >= MIN_EXPECTED_FOR_Z) {
            double pooled = (double) successes / total;
            double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
            r.pValue = se == 0 ? 1 : Normal.twoSidedP((p1 - p2) / se);
            r.method = "z";
        } else {
            r.pValue = fisher(x1, n1 - x1, x2, n2 - x2);
            r.method = "fisher";
        }
        return r;
    }

    /** Wilson score interval [low, high] of x of n (E. B. Wilson, JASA 22:209–212, 1927). */
    static double[] wilson(long x, long n, double z) {
        double p = (double) x / n;
        double z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * Fisher's exact test of the 2×2 table [[a, b], [c, d]], two-sided: the probability of every
     * table with the same margins no more likely than the observed one (with R's relative tolerance
     * 1e-7 for ties in probability).
     */
    static double fisher(long a, long b, long c, long d) {
        long row1 = a + b;
        long col1 = a + c;
        long total = a + b + c + d;
        long lo = Math.max(0, col1 - (total - row1));
        long hi = Math.min(row1, col1);
        double observed = logHypergeometric(a, row1, col1, total);
        double p = 0;
        for (long k = lo; k <= hi; k++) {
            double lp = logHypergeometric(k, row1, col1, total);
            if (lp <= observed + 1e-7 * Math.abs(observed) + 1e-12) {
                p += Math.exp(lp);
            }
        }
        return Math.min(1, p);
    }

    private static double logHypergeometric(long k, long row1, long col1, long total) {
        return logChoose(row1, k) + logChoose(total - row1, col1 - k) - logChoose(total, col1);
    }

    private static double logChoose(long n, long k) {
        return Gamma.logGamma(n + 1.0) - Gamma.logGamma(k + 1.0) - Gamma.logGamma(n - k + 1.0);
    }

    private static double sq(double v) {
        return v * v;
    }
}
