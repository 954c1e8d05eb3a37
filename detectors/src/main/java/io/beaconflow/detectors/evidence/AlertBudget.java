package io.beaconflow.detectors.evidence;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The job-wide false-alert budget ({@code budget:} in a spec file) and the per-test threshold it
 * implies.
 *
 * <p>Why: hundreds of series are tested every window, each on several scales; a threshold chosen
 * per series (z 4 is one window in 31,600) still adds up to a steady trickle of false alerts across
 * the job. Here the budget is the starting point: {@code false_alerts_per_day} spread evenly
 * (Bonferroni, i.e. alpha-spending with equal shares) over every test the job makes in a day,
 *
 * <pre>
 *   α = false_alerts_per_day / (tests_per_window × windows_per_day × scales)
 *   z = Φ⁻¹(1 − α)        (one-sided; both directions of a two-sided metric share it)
 * </pre>
 *
 * <p>so the expected number of windows that pass the statistical test by chance is at most the
 * budget, whatever the number of series, and every per-series threshold derives from it. It is an
 * upper bound: the scales of one series overlap (a chance excursion on 8 windows is usually one on
 * 4 and 16 too), sustained-anomaly matching asks for two such windows, and the effect-size and
 * volume gates come on top, so the realised rate is lower.
 *
 * @param falseAlertsPerDay the whole job's budget
 * @param testsPerWindow series × watched metrics scored per window (an upper estimate)
 * @param windowsPerDay windows per day (1440 for one-minute windows)
 */
public record AlertBudget(double falseAlertsPerDay, long testsPerWindow, long windowsPerDay) {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    public static final double DEFAULT_FALSE_ALERTS_PER_DAY = 1;
    public static final long DEFAULT_WINDOWS_PER_DAY = 1440;

    public AlertBudget {
        if (!(falseAlertsPerDay > 0) || Double.isInfinite(falseAlertsPerDay)) {
            throw new IllegalArgumentException(
                    "budget.false_alerts_per_day must be a number > 0, got "
                            + falseAlertsPerDay
                            + "; use e.g. 1");
        }
        if (testsPerWindow < 1) {
            throw new IllegalArgumentException(
                    "budget.tests_per_window must be >= 1, got "
                            + testsPerWindow
                            + "; use the number of series × watched metrics, e.g. 3000");
        }
        if (windowsPerDay < 1) {
            throw new IllegalArgumentException(
                    "budget.windows_per_day must be >= 1, got "
                            + windowsPerDay
                            + "; use 1440 for one-minute windows");
        }
    }

    /** False-alarm probability allowed to one test (one series, metric, window and scale). */
    public double alphaPerTest(int scales) {
        double tests = (double) testsPerWindow * windowsPerDay * Math.max(1, scales);
        return Math.min(0.5, falseAlertsPerDay / tests);
    }

    /** The z a test on {@code scales} scales must reach. */
    public double zThreshold(int scales) {
        return STANDARD_NORMAL.inverseCumulativeProbability(1 - alphaPerTest(scales));
    }
}
