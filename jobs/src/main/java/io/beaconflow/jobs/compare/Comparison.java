package io.beaconflow.jobs.compare;

/**
 * One metric of one comparison at one point of event time: an experiment variant against its
 * control, or a release against the previous release of the same app, over everything both arms
 * collected since the comparison began. The document of the {@code rum-comparisons} index
 * (snake_case JSON) and a Flink POJO. docs/outputs: docs/DISCUSSION.md "Experiments and releases
 * compared".
 */
public class Comparison {
    public static final String EXPERIMENT = "experiment";
    public static final String RELEASE = "release";

    /** Deterministic: app, kind, experiment, variant, metric and {@link #windowEnd}. */
    public String id;

    public String app;

    /** {@code experiment} or {@code release}. */
    public String kind;

    /** The experiment's name; null for releases. */
    public String experiment;

    /** The compared variant, or the compared (newer) release. */
    public String variant;

    /** The control variant, or the previous release. */
    public String control;

    /** {@link ComparedMetric#field}: error_rate, fetch_failure_rate, load, lcp, inp, fetch. */
    public String metric;

    /**
     * {@code msprt_z} or {@code msprt_mann_whitney} (always-valid, comparisons.sequential), else
     * {@code z}, {@code fisher} (two proportions) or {@code mann_whitney}; null without a test.
     */
    public String test;

    /** Received (unweighted) trials or values of the arm and of the control. */
    public long n;

    public long nControl;

    /** The arm's rate, or its median (ms). */
    public Double estimate;

    public Double estimateControl;

    /**
     * Rates: arm − control (absolute). Latencies: the Hodges–Lehmann shift arm − control (ms), the
     * median of all pairwise differences.
     */
    public Double diff;

    /**
     * The confidence interval of {@link #diff} ({@code comparisons.alpha}: 95 % by default); with
     * comparisons.sequential the always-valid confidence sequence, valid at every emission at once.
     */
    public Double diffLow;

    public Double diffHigh;

    /** Rates: arm / control − 1. Latencies: the shift / control median. */
    public Double relative;

    /** Rates only: Katz's interval of {@link #relative}; null for latencies. */
    public Double relativeLow;

    public Double relativeHigh;

    /** The test's two-sided p-value before adjustment; always-valid with comparisons.sequential. */
    public Double pValue;

    /** Holm-adjusted over the metrics of this arm at this point (the family). */
    public Double adjustedP;

    /** better, worse, no_difference or insufficient_data ({@link Verdict}). */
    public String verdict;

    /**
     * The verdict as one sentence with its effect, interval, adjusted p and sample sizes ({@link
     * ConfidenceStatement}), for the dashboard's verdict tables.
     */
    public String statement;

    /** Event time the comparison began (the first window holding both arms), epoch millis. */
    public long windowStart;

    /** End of the last metrics window included (exclusive), epoch millis. */
    public long windowEnd;

    /** True on the last document of a bounded input (end of input), else false. */
    public boolean last;

    public Comparison() {}

    @Override
    public String toString() {
        return "Comparison{"
                + app
                + " "
                + kind
                + " "
                + experiment
                + " "
                + variant
                + " vs "
                + control
                + " "
                + metric
                + " n="
                + n
                + "/"
                + nControl
                + " diff="
                + diff
                + " p="
                + pValue
                + " adj="
                + adjustedP
                + " "
                + verdict
                + " @"
                + windowEnd
                + "}";
    }
}
