package io.beaconflow.jobs.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares one arm with its control on every {@link ComparedMetric}: the test suited to each (two
 * proportions for rates, the rank test for latencies), then Holm's adjustment over the metrics
 * tested together, then a verdict per metric.
 *
 * <p><b>Multiple testing.</b> One arm at one point is one family: its six metrics are tested at
 * once and Holm keeps the chance of any false "significant" among them at α. A metric whose arm or
 * control has fewer than {@code minSamples} trials (rates) or values (latencies) is not tested
 * ({@code insufficient_data}) and is not part of the family: early, tiny arms flip on noise and the
 * normal approximations are poor there. Across arms and points in time there is no further
 * correction: each document answers "is this arm different, as of now" (see docs/DISCUSSION.md on
 * repeated looks).
 */
public final class ArmComparison {
    private final double alpha;
    private final long minSamples;

    public ArmComparison(double alpha, long minSamples) {
        this.alpha = alpha;
        this.minSamples = minSamples;
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
                c.n = n1;
                c.nControl = n2;
                c.estimate = n1 > 0 ? (double) x1 / n1 : null;
                c.estimateControl = n2 > 0 ? (double) x2 / n2 : null;
                if (n1 >= minSamples && n2 >= minSamples && n1 > 0 && n2 > 0) {
                    TwoProportions.Result r = TwoProportions.compare(x1, n1, x2, n2, 1 - alpha);
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
                c.n = a == null ? 0 : Math.round(a.n());
                c.nControl = b == null ? 0 : Math.round(b.n());
                c.estimate = a == null ? null : a.quantile(0.5);
                c.estimateControl = b == null ? null : b.quantile(0.5);
                if (a != null && b != null && c.n >= minSamples && c.nControl >= minSamples) {
                    RankTest.Result r = RankTest.compare(b, a, 1 - alpha);
                    c.test = "mann_whitney";
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

    private static long successes(ComparedMetric m, ArmStats s) {
        return m == ComparedMetric.ERROR_RATE
                ? Math.min(s.jsErrors, s.pageViews)
                : Math.min(s.fetchFailures, s.fetches);
    }

    private static long trials(ComparedMetric m, ArmStats s) {
        return m == ComparedMetric.ERROR_RATE ? s.pageViews : s.fetches;
    }
}
