package io.beaconflow.detectors.surge;

import java.io.Serializable;

/**
 * The knobs of {@link SurgeDetector}. Each is checked here, so a bad value fails where the spec is
 * built (the job's config check names the key before that).
 *
 * @param zThreshold the exact Poisson upper tail of a pooled count, as a standard normal quantile,
 *     that alerts; > 0
 * @param minSessions newly hit sessions a pooled scale must hold before it may alert: one visitor
 *     reloading a broken page is not an incident; >= 1
 * @param minRatio the pooled count must also be at least this many times its expectation, the
 *     test's own minimum effect size: a known error that follows the traffic's daily curve (twice
 *     the sessions at noon) never alerts on its volume alone; >= 1
 * @param maxWindows the longest pooled scale, in windows (scales 1, 2, 4, ... up to it); in [1, 64]
 * @param newRate expected newly hit sessions per window of an error never seen before (after the
 *     app's warm-up), and the floor of every error's expectation; > 0
 * @param alpha weight of one window in an error's learned rate; in (0, 1]
 * @param warmupWindows windows of an app's error stream before a first occurrence means "new": when
 *     the job starts every error is a first occurrence; >= 1
 * @param relearnAfter anomalous windows in a row after which they are learned at full weight (a bug
 *     that shipped and stays is the new normal, and its alert must end); >= 1
 */
public record SurgeSpec(
        double zThreshold,
        int minSessions,
        double minRatio,
        int maxWindows,
        double newRate,
        double alpha,
        int warmupWindows,
        int relearnAfter)
        implements Serializable {

    public SurgeSpec {
        require(zThreshold > 0, "z threshold must be > 0, got " + zThreshold);
        require(minSessions >= 1, "min sessions must be >= 1, got " + minSessions);
        require(minRatio >= 1, "min ratio must be >= 1, got " + minRatio);
        require(maxWindows >= 1 && maxWindows <= 64, "max windows must be in [1, 64]");
        require(newRate > 0, "new rate must be > 0, got " + newRate);
        require(alpha > 0 && alpha <= 1, "alpha must be in (0, 1], got " + alpha);
        require(warmupWindows >= 1, "warm-up windows must be >= 1, got " + warmupWindows);
        require(relearnAfter >= 1, "relearn after must be >= 1, got " + relearnAfter);
    }

    /**
     * The decision knobs given, and the learning constants: alpha 0.01 (a memory of about 200
     * windows: an error of 0.4 sessions a window learned with the baselines' 0.05 wanders between
     * 0.2 and 0.45, and a 32-window scale anchored at the low point looks like a tripling;
     * SurgeDetectorTest), relearn after 60 as every baseline of the shipped spec.
     */
    public static SurgeSpec of(
            double zThreshold,
            int minSessions,
            double minRatio,
            int maxWindows,
            double newRate,
            int warmupWindows) {
        return new SurgeSpec(
                zThreshold, minSessions, minRatio, maxWindows, newRate, 0.01, warmupWindows, 60);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
