package io.beaconflow.jobs.compare;

/**
 * Always-valid inference for comparisons that are looked at again and again: the normal-mixture
 * sequential probability ratio test (mSPRT) of Johari, Pekelis and Walsh ("Always valid inference:
 * continuous monitoring of A/B tests", Operations Research 70(3):1806–1821, 2022; arXiv 1512.04922,
 * 2015) and its matching confidence sequence (Howard, Ramdas, McAuliffe and Sekhon, "Time-uniform,
 * nonparametric, nonasymptotic confidence sequences", Annals of Statistics 49(2):1055–1080, 2021,
 * the two-sided normal mixture boundary).
 *
 * <p><b>Why.</b> A comparison is emitted every {@code comparisons.emit-every} on its cumulative
 * data and the latest verdict is what the dashboard shows. A fixed-horizon test at α, looked at 24
 * times, gives an A/A arm a verdict at some look in a third of the runs
 * (FalsePositiveAndPowerTest). The mSPRT's p-value is valid at any stopping time: P(some look has p
 * ≤ α) ≤ α, however often and whenever one looks, so the latest verdict is a confidence statement
 * again, and Holm over the metrics of one arm still applies to these p-values.
 *
 * <p><b>The statistic.</b> Each test already gives an estimate with a standard error under no
 * difference, as a z. In standardized units (the estimate over the per-unit standard deviation) the
 * estimate's variance is V = 1/n₁ + 1/n₂: for rates the units are the Rao–Scott effective views or
 * fetches (p₁ − p₂ over √(p̄(1 − p̄))), for latencies sessions (the Mann–Whitney statistic U/(mn) −
 * ½ times √12, about Cohen's d for a normal shift). With a normal mixing distribution N(0, τ²) over
 * the standardized effect, the mixture likelihood ratio is
 *
 * <pre>
 *   Λ = √(V / (V + τ²)) · exp(z² τ² / (2 (V + τ²)))
 * </pre>
 *
 * and the always-valid p-value is min(1, 1/Λ) (Johari et al.). Only r = τ²/V = τ² · n₁n₂/(n₁ + n₂)
 * and z enter, so the p-value is a function of the z each test computes today.
 *
 * <p><b>The confidence sequence</b> is the set of effects the test would not reject, Λ &lt; 1/α:
 * |z| &lt; b with b = √((1 + 1/r) · (2 ln(1/α) + ln(1 + r))). b plays the role of z(1 − α/2) in the
 * fixed-horizon interval, so each metric keeps its interval (Newcombe for rate differences, Katz
 * for ratios, Moses for the Hodges–Lehmann shift) computed at b instead of 1.96: wider, and valid
 * at every look at once (it covers the true effect at all looks with probability ≥ 1 − α).
 *
 * <p><b>τ, the knob.</b> τ is the standardized effect the test is most sensitive to: the mixture is
 * the Bayes-optimal test when effects are drawn from N(0, τ²) (Johari et al.), and the boundary is
 * tightest at the sample size where such an effect becomes detectable. Smaller τ finds small
 * effects sooner and large ones later; a wrong τ costs a logarithmic factor in time, never
 * validity. The defaults are the smallest effect worth detecting per metric class
 * (ComparisonsConfig).
 *
 * <p>No state: each look computes Λ from the cumulative data. The running minimum of the p-value
 * over looks (Johari et al.'s monotone version) would need state per arm and metric; the guarantee
 * that no look of an A/A arm crosses α with probability above α holds without it.
 */
public final class AlwaysValid {
    private final double alpha;
    private final double effectRates;
    private final double effectLatencies;

    /**
     * @param alpha the level: the confidence sequence covers at all looks with ≥ 1 − alpha
     * @param effectRates τ for the rates, per effective view or fetch (standardized)
     * @param effectLatencies τ for the latencies, per session (standardized rank statistic)
     */
    public AlwaysValid(double alpha, double effectRates, double effectLatencies) {
        if (!(alpha > 0 && alpha < 1) || !(effectRates > 0) || !(effectLatencies > 0)) {
            throw new IllegalArgumentException(
                    "need 0 < alpha < 1 and effects > 0: "
                            + alpha
                            + ", "
                            + effectRates
                            + ", "
                            + effectLatencies);
        }
        this.alpha = alpha;
        this.effectRates = effectRates;
        this.effectLatencies = effectLatencies;
    }

    /** τ² / V: the mixing variance over the estimate's variance 1/n₁ + 1/n₂, standardized. */
    double ratio(boolean rate, double n1, double n2) {
        double tau = rate ? effectRates : effectLatencies;
        return tau * tau * n1 * n2 / (n1 + n2);
    }

    /** The always-valid two-sided p-value of a test statistic z with τ²/V = {@code r}. */
    static double pValue(double z, double r) {
        // log(1/Λ), so huge z gives a tiny p instead of an overflow
        double logP = 0.5 * Math.log1p(r) - z * z / 2 * (r / (1 + r));
        return logP >= 0 ? 1 : Math.exp(logP);
    }

    /** The confidence sequence's boundary on the z scale: |z| ≥ b rejects, Λ ≥ 1/α. */
    static double boundary(double r, double alpha) {
        return Math.sqrt((1 + 1 / r) * (2 * Math.log(1 / alpha) + Math.log1p(r)));
    }

    double boundary(double r) {
        return boundary(r, alpha);
    }

    /**
     * The fixed-horizon confidence level whose normal quantile is the boundary b: 2Φ(b) − 1, what
     * the interval methods ({@link TwoProportions}, {@link RankTest}) take.
     */
    static double confidenceOf(double b) {
        return 1 - Normal.twoSidedP(b);
    }
}
