package io.beaconflow.jobs.compare;

import java.util.Locale;

/**
 * The one sentence a reader of a comparison wants: is the arm worse than its control, by how much,
 * how sure, on how much data. Written into {@link Comparison#statement} so the dashboard's verdict
 * table can show it as text: the numbers behind it (diff, interval, adjusted p, n) are separate
 * fields, but a table of six numbers per row does not say which interval goes with which verdict,
 * that the interval is per metric while the p-value is Holm-adjusted, or in which unit a rate
 * difference is (percentage points, not percent).
 *
 * <p>Plain Java, deterministic (fixed locale and rounding), so the same input gives the same
 * document. Examples:
 *
 * <pre>
 * shop-web@2.4.0 is worse than shop-web@2.3.1 on LCP: median shift +445 ms (95 % always-valid CI
 *   +390 to +500 ms), Holm-adjusted always-valid p = 7.0e-140, n = 1,730 vs 1,943 sessions
 * no significant difference between paywall=none and paywall=metered on fetch failure rate:
 *   -0.71 pp (95 % CI -1.30 to -0.12 pp, not adjusted), Holm-adjusted p = 0.108 (alpha 0.05),
 *   n = 1,052 vs 1,144 sessions
 * checkout_flow=one_page vs checkout_flow=control on INP: not tested, 120 vs 340 sessions (200
 *   per arm needed)
 * </pre>
 */
public final class ConfidenceStatement {
    private ConfidenceStatement() {}

    /**
     * The statement for a comparison whose arms, metric, statistics and verdict are filled in.
     *
     * @param alpha {@code comparisons.alpha}: the verdict's level, and 1 − the interval's coverage
     * @param minSamples {@code comparisons.min-samples-per-arm}, named when the metric is untested
     */
    public static String of(Comparison c, double alpha, long minSamples) {
        return of(c, alpha, minSamples, false);
    }

    /**
     * The statement; with {@code sequential} (comparisons.sequential) the interval is the
     * always-valid confidence sequence and the p-value the always-valid one ({@link AlwaysValid}),
     * and the sentence says so: the interval is wider than a fixed-horizon one, and a reader who
     * compares it with a textbook interval must know why.
     */
    public static String of(Comparison c, double alpha, long minSamples, boolean sequential) {
        String arm = armName(c, c.variant);
        String control = armName(c, c.control);
        String metric = label(c.metric);
        boolean rate = isRate(c.metric);
        // n is sessions for every metric: the unit the tests count (ArmComparison).
        String unit = "sessions";
        if (Verdict.INSUFFICIENT_DATA.equals(c.verdict) || c.adjustedP == null || c.diff == null) {
            return String.format(
                    Locale.ROOT,
                    "%s vs %s on %s: not tested, %s vs %s %s (%s per arm needed)",
                    arm,
                    control,
                    metric,
                    count(c.n),
                    count(c.nControl),
                    unit,
                    count(minSamples));
        }
        String head;
        if (Verdict.WORSE.equals(c.verdict)) {
            head = arm + " is worse than " + control + " on " + metric;
        } else if (Verdict.BETTER.equals(c.verdict)) {
            head = arm + " is better than " + control + " on " + metric;
        } else {
            head = "no significant difference between " + arm + " and " + control + " on " + metric;
        }
        // One precision for the shift and both ends of its interval, so "-46 to 0.0" cannot
        // happen: whole ms when any of them reaches 100 ms, else one decimal (INP shifts are
        // small).
        int ms = msDecimals(c.diff, c.diffLow, c.diffHigh);
        String effect =
                rate
                        ? String.format(
                                Locale.ROOT,
                                "%s vs %s, %s pp",
                                percent(c.estimate),
                                percent(c.estimateControl),
                                signed(c.diff * 100, 2))
                        : "median shift " + milliseconds(c.diff, ms) + " ms";
        // The interval is the metric's own (1 - alpha), not widened for the Holm family: say so
        // when it seems to contradict the verdict (excludes 0 with no difference found).
        boolean excludesZero =
                c.diffLow != null && c.diffHigh != null && (c.diffLow > 0 || c.diffHigh < 0);
        String interval =
                c.diffLow == null || c.diffHigh == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " (%s %% %sCI %s to %s %s%s)",
                                level(alpha),
                                sequential ? "always-valid " : "",
                                rate ? signed(c.diffLow * 100, 2) : milliseconds(c.diffLow, ms),
                                rate ? signed(c.diffHigh * 100, 2) : milliseconds(c.diffHigh, ms),
                                rate ? "pp" : "ms",
                                Verdict.NO_DIFFERENCE.equals(c.verdict) && excludesZero
                                        ? ", not adjusted"
                                        : "");
        String p =
                (sequential ? "Holm-adjusted always-valid p = " : "Holm-adjusted p = ")
                        + pValue(c.adjustedP)
                        + (Verdict.NO_DIFFERENCE.equals(c.verdict)
                                ? String.format(Locale.ROOT, " (alpha %s)", trim(alpha))
                                : "");
        return String.format(
                Locale.ROOT,
                "%s: %s%s, %s, n = %s vs %s %s",
                head,
                effect,
                interval,
                p,
                count(c.n),
                count(c.nControl),
                unit);
    }

    /** Experiments name the arm {@code experiment=variant}; a release is its own name. */
    private static String armName(Comparison c, String name) {
        return c.experiment == null ? name : c.experiment + "=" + name;
    }

    private static boolean isRate(String metric) {
        return ComparedMetric.ERROR_RATE.field.equals(metric)
                || ComparedMetric.FETCH_FAILURE_RATE.field.equals(metric);
    }

    static String label(String metric) {
        if (ComparedMetric.ERROR_RATE.field.equals(metric))
            return "error rate (JS errors per view)";
        if (ComparedMetric.FETCH_FAILURE_RATE.field.equals(metric)) return "fetch failure rate";
        if (ComparedMetric.LOAD.field.equals(metric)) return "page load";
        if (ComparedMetric.FETCH.field.equals(metric)) return "fetch duration";
        return metric.toUpperCase(Locale.ROOT); // lcp, inp
    }

    /** The interval's coverage in percent: 95 for alpha 0.05, 97.5 for 0.025. */
    static String level(double alpha) {
        return trim(Math.round((1 - alpha) * 1e6) / 1e4);
    }

    static String pValue(double p) {
        if (p <= 0) return "< 1e-300"; // below the smallest double the tests resolve
        if (p >= 0.001) return trim(Math.round(p * 1000) / 1000.0);
        return String.format(Locale.ROOT, "%.1e", p);
    }

    /** Decimals for a shift and its interval: 0 when any reaches 100 ms, else 1. */
    static int msDecimals(Double... values) {
        double max = 0;
        for (Double v : values) if (v != null) max = Math.max(max, Math.abs(v));
        return max >= 100 ? 0 : 1;
    }

    static String milliseconds(double ms, int decimals) {
        return signed(ms, decimals);
    }

    static String signed(double v, int decimals) {
        // -0.0 and values that round to zero print without a sign: "0", not "+0" or "-0".
        double scale = Math.pow(10, decimals);
        double r = Math.round(v * scale) / scale;
        String s = String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(r));
        return r > 0 ? "+" + s : r < 0 ? "-" + s : s;
    }

    private static String percent(Double rate) {
        return rate == null ? "n/a" : String.format(Locale.ROOT, "%.2f %%", rate * 100);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
