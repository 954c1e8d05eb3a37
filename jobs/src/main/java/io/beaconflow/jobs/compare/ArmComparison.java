package io.beaconflow.jobs.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares one arm with its control on every {@link ComparedMetric}: the test suited to each (two
 * proportions for rates, the rank test for latencies), then Holm's adjustment over the metrics
 * tested together, then a verdict per metric.
 *
 * <p><b>The unit is the session.</b> Experiments assign sessions to arms, and views of one session
 * share a latency factor (network, device) and often an error cause, so treating views as
 * independent makes every test too sure: in A/A traffic clustered like the generator's, the rank
 * test on views called 12.5 % of runs significant at α = 5 % (docs/DISCUSSION.md, "Comparisons
 * judge sessions"). So latencies are tested on one value per session (its geometric mean, {@link
 * SessionSummary}), and rates keep their per-view estimate (errors / views, as the metric rows show
 * it) with a variance that accounts for sessions: Rao and Scott's adjustment ("A simple method for
 * the analysis of clustered binary data", Biometrics 48:577–585, 1992) divides both counts by the
 * arm's design effect, the clustered (ratio-estimator) variance over the binomial one, and then
 * runs the usual two-proportion test and interval on the effective counts. n is sessions
 * throughout, and {@code minSamples} counts sessions.
 *
 * <p><b>Multiple testing.</b> One arm at one point is one family: its six metrics are tested at
 * once and Holm keeps the chance of any false "significant" among them at α. A metric whose arm or
 * control has fewer than {@code minSamples} sessions (with a trial, or with a value) is not tested
 * ({@code insufficient_data}) and is not part of the family: early, tiny arms flip on noise and the
 * normal approximations are poor there. Across arms there is no further correction (each arm is its
 * own family).
 *
 * <p><b>Repeated looks.</b> The same arm is tested again at every emission on its cumulative data.
 * With {@link AlwaysValid} (comparisons.sequential, the default) every p-value is the mixture
 * SPRT's always-valid one and every interval its confidence sequence, so the chance that an A/A arm
 * shows a verdict at <em>any</em> look stays at α; Holm applies to always-valid p-values as to any
 * valid ones. Without it (a fixed-horizon test for one planned look) each look is a fresh test at
 * α, and an arm watched 24 times gets a false verdict at some look in about a third of A/A runs
 * (FalsePositiveAndPowerTest, docs/DISCUSSION.md "Comparisons that stay honest under repeated
 * looks").
 */
public final class ArmComparison {
    private final double alpha;
    private final long minSamples;

    /** Null: fixed-horizon tests, valid for one planned look only. */
    private final AlwaysValid sequential;

    /** Fixed-horizon tests: p-values and intervals valid for one planned look. */
    public ArmComparison(double alpha, long minSamples) {
        this(alpha, minSamples, null);
    }

    /**
     * @param sequential always-valid p-values and confidence sequences, or null for fixed-horizon
     */
    public ArmComparison(double alpha, long minSamples, AlwaysValid sequential) {
        this.alpha = alpha;
        this.minSamples = minSamples;
        this.sequential = sequential;
    }

    /** The comparison {@code cfg} asks for: always-valid unless comparisons.sequential is false. */
    public static ArmComparison of(ComparisonsConfig cfg) {
        return new ArmComparison(
                cfg.alpha,
                cfg.minSamplesPerArm,
                cfg.sequential
                        ? new AlwaysValid(
                                cfg.alpha, cfg.mixingEffectRates, cfg.mixingEffectLatencies)
                        : null);
    }

    /**
     * One {@link Comparison} per metric, in {@link ComparedMetric} order, with the statistics,
     * adjusted p-values and verdicts filled in (the caller adds app, arms and window).
     */
    public List<Comparison> compare(ArmStats arm, ArmStats control) {
        ComparedMetric[] metrics = ComparedMetric.values();
        List<Comparison> out = new ArrayList<>(metrics.length);
        double[] p = new double[metrics.length];
        // The sign of the effect: the difference for rates, z for latencies (the shift of binned
        // values can be 0 while the ranks differ).
        double[] direction = new double[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            ComparedMetric m = metrics[i];
            Comparison c = new Comparison();
            c.metric = m.field;
            p[i] = Double.NaN;
            if (m.isRate()) {
                long x1 = successes(m, arm);
                long n1 = trials(m, arm);
                long x2 = successes(m, control);
                long n2 = trials(m, control);
                c.n = sessions(m, arm);
                c.nControl = sessions(m, control);
                c.estimate = n1 > 0 ? (double) x1 / n1 : null;
                c.estimateControl = n2 > 0 ? (double) x2 / n2 : null;
                if (c.n >= minSamples && c.nControl >= minSamples && n1 > 0 && n2 > 0) {
                    double d1 = designEffect(m, arm);
                    double d2 = designEffect(m, control);
                    // Effective counts, rounded: Fisher's test needs whole tables; the rounding
                    // moves a rate by at most 1 / effective n.
                    long e1 = Math.max(1, Math.round(n1 / d1));
                    long e2 = Math.max(1, Math.round(n2 / d2));
                    long f1 = Math.min(e1, Math.round(x1 / d1));
                    long f2 = Math.min(e2, Math.round(x2 / d2));
                    TwoProportions.Result r;
                    if (sequential == null) {
                        r = TwoProportions.compare(f1, e1, f2, e2, 1 - alpha);
                    } else {
                        // The pooled z on the effective counts, as the fixed-horizon z-test; the
                        // mixture needs a normal statistic, so no Fisher switch here (its p-value
                        // is not a likelihood ratio). Intervals at the boundary b.
                        double ratio = sequential.ratio(true, e1, e2);
                        r = TwoProportions.compareAtZ(f1, e1, f2, e2, sequential.boundary(ratio));
                        double pooled = (double) (f1 + f2) / (e1 + e2);
                        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / e1 + 1.0 / e2));
                        double z = se == 0 ? 0 : ((double) f1 / e1 - (double) f2 / e2) / se;
                        r.pValue = AlwaysValid.pValue(z, ratio);
                        r.method = "msprt_z";
                    }
                    c.test = r.method;
                    c.diff = r.diff;
                    c.diffLow = r.diffLow;
                    c.diffHigh = r.diffHigh;
                    c.relative = r.relative;
                    c.relativeLow = r.relativeLow;
                    c.relativeHigh = r.relativeHigh;
                    c.pValue = r.pValue;
                    p[i] = r.pValue;
                    direction[i] = r.diff;
                }
            } else {
                Binned a = arm.latency[m.latencyIndex];
                Binned b = control.latency[m.latencyIndex];
                // One value per session: n is sessions with a value of this metric.
                c.n = a == null ? 0 : Math.round(a.n());
                c.nControl = b == null ? 0 : Math.round(b.n());
                c.estimate = a == null ? null : a.quantile(0.5);
                c.estimateControl = b == null ? null : b.quantile(0.5);
                if (a != null && b != null && c.n >= minSamples && c.nControl >= minSamples) {
                    RankTest.Result r;
                    if (sequential == null) {
                        r = RankTest.compare(b, a, 1 - alpha);
                        c.test = "mann_whitney";
                    } else {
                        // Sessions with a value are the units of the standardized rank statistic.
                        double ratio = sequential.ratio(false, a.n(), b.n());
                        r = RankTest.compareAtZ(b, a, sequential.boundary(ratio));
                        r.pValue = AlwaysValid.pValue(r.z, ratio);
                        c.test = "msprt_mann_whitney";
                    }
                    c.diff = r.shift;
                    c.diffLow = r.shiftLow;
                    c.diffHigh = r.shiftHigh;
                    c.relative = c.estimateControl > 0 ? r.shift / c.estimateControl : null;
                    c.pValue = r.pValue;
                    p[i] = r.pValue;
                    direction[i] = r.z;
                }
            }
            out.add(c);
        }
        double[] adjusted = Holm.adjust(p);
        for (int i = 0; i < metrics.length; i++) {
            Comparison c = out.get(i);
            if (Double.isNaN(adjusted[i])) {
                c.verdict = Verdict.INSUFFICIENT_DATA;
                continue;
            }
            c.adjustedP = adjusted[i];
            if (adjusted[i] >= alpha || direction[i] == 0) {
                c.verdict = Verdict.NO_DIFFERENCE;
            } else {
                c.verdict = direction[i] > 0 ? Verdict.WORSE : Verdict.BETTER;
            }
        }
        return out;
    }

    /**
     * The design effect of a rate's estimate x / n over k sessions: its clustered variance, the
     * ratio estimator's Σ(xᵢ − p̂·nᵢ)² / n² · k / (k − 1), over the binomial p̂(1 − p̂) / n. 1 when
     * sessions behave like independent views; larger when a session's views fail together. Never
     * below 1: a smaller estimate (noise, with few errors) would claim more certainty than
     * independent views give, so it is not taken.
     */
    static double designEffect(ComparedMetric m, ArmStats s) {
        boolean errors = m == ComparedMetric.ERROR_RATE;
        double n = errors ? s.pageViews : s.fetches;
        double x = successes(m, s);
        long k = sessions(m, s);
        if (n <= 0 || k < 2 || x <= 0 || x >= n) return 1;
        double p = x / n;
        double nn = errors ? s.viewsSq : s.fetchesSq;
        double xx = errors ? s.jsErrorsSq : s.fetchFailuresSq;
        double xn = errors ? s.viewsJsErrors : s.fetchesFailures;
        double residuals = Math.max(0, xx - 2 * p * xn + p * p * nn);
        double clustered = residuals / (n * n) * k / (k - 1);
        double binomial = p * (1 - p) / n;
        return Math.max(1, clustered / binomial);
    }

    private static long sessions(ComparedMetric m, ArmStats s) {
        return m == ComparedMetric.ERROR_RATE ? s.viewSessions : s.fetchSessions;
    }

    private static long successes(ComparedMetric m, ArmStats s) {
        return m == ComparedMetric.ERROR_RATE
                ? Math.min(s.jsErrors, s.pageViews)
                : Math.min(s.fetchFailures, s.fetches);
    }

    private static long trials(ComparedMetric m, ArmStats s) {
        return m == ComparedMetric.ERROR_RATE ? s.pageViews : s.fetches;
    }
}
