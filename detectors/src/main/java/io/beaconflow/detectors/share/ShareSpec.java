package io.beaconflow.detectors.share;

import java.io.Serializable;

/**
 * The knobs of {@link ShareDetector}. Each is checked here, so a bad value fails where the spec is
 * built (the job's config check names the key before that).
 *
 * @param margin the relative fall tolerated before the test begins: of the segment's share on the
 *     share route (the pooled count against {@code (1 − margin)} times its anchored expectation),
 *     of the segment's own views on the second route (against the rest of the app, {@link
 *     ShareDetector#toleratedShare}, and against its views before), so a segment whose share or
 *     traffic wanders by less than this (a time zone waking up, a lull of one browser) never alerts
 *     however much traffic stands behind it. In [0, 1).
 * @param zThreshold standard errors below the tolerated level that alert; > 0
 * @param silenceZThreshold the normal quantile of "no visitor arrived" at which a silent run alerts
 *     (the silence test's bound is exact and conservative, so it can sit at the false-alert
 *     budget's per-test level where the count test, a normal approximation of clustered counts,
 *     needs more); > 0
 * @param minExpectedViews received (unweighted) views a scale must expect before it is tested: a
 *     segment of one view a minute has whole half hours without a visitor, which no count test can
 *     tell from an outage; >= 0
 * @param maxWindows the longest pooled scale, in windows (scales 1, 2, 4, ... up to it); in [1, 64]
 * @param alpha weight of one window in the expected share (EW sums of segment and app views); in
 *     (0, 1]
 * @param warmupWindows windows with app traffic before the segment answers; the overdispersion is
 *     learned as a running mean until then; >= 1
 * @param robustZ a window beyond this many spreads is learned at weight {@code (robustZ/|z|)²}, so
 *     the first windows of a drop that have not alerted yet do not drag the share down; > 0
 * @param relearnAfter anomalous windows in a row after which they are learned at full weight (the
 *     segment's share has really moved); >= 1
 */
public record ShareSpec(
        double margin,
        double zThreshold,
        double silenceZThreshold,
        double minExpectedViews,
        int maxWindows,
        double alpha,
        int warmupWindows,
        double robustZ,
        int relearnAfter)
        implements Serializable {

    public ShareSpec {
        require(margin >= 0 && margin < 1, "margin must be in [0, 1), got " + margin);
        require(zThreshold > 0, "z threshold must be > 0, got " + zThreshold);
        require(silenceZThreshold > 0, "silence z threshold must be > 0, got " + silenceZThreshold);
        require(minExpectedViews >= 0, "min expected views must be >= 0, got " + minExpectedViews);
        require(maxWindows >= 1 && maxWindows <= 64, "max windows must be in [1, 64]");
        require(alpha > 0 && alpha <= 1, "alpha must be in (0, 1], got " + alpha);
        require(warmupWindows >= 1, "warm-up windows must be >= 1, got " + warmupWindows);
        require(robustZ > 0, "robust z must be > 0, got " + robustZ);
        require(relearnAfter >= 1, "relearn after must be >= 1, got " + relearnAfter);
    }

    /**
     * The learning constants every count baseline in the shipped spec uses (alpha 0.05, 30 windows
     * of warm-up, robust z 2.5, relearn after 60), with the decision knobs given.
     */
    public static ShareSpec of(
            double margin,
            double zThreshold,
            double silenceZThreshold,
            double minExpectedViews,
            int maxWindows) {
        return new ShareSpec(
                margin,
                zThreshold,
                silenceZThreshold,
                minExpectedViews,
                maxWindows,
                0.05,
                30,
                2.5,
                60);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
