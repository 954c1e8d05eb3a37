package io.beaconflow.detectors.surge;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Gamma;

/**
 * Detects one error (one fingerprint) reaching more sessions than it did before: a bug that came
 * with new code, a third-party script that started throwing, a backend answer the page cannot
 * parse. Per app and fingerprint, the count is the sessions the error hit for the first time in
 * each window.
 *
 * <p>Why per error and not the error rate: an app's error rate mixes every error it has. A segment
 * of five page views a minute with 2 % errors shows an incident adding 12 errors per 100 views as a
 * few windows at one error in five views, which a rate test must tell from chance against the whole
 * job's false-alert budget (docs/detector-quality.md, session 2026-12-04 (4): the Safari and US
 * error spikes were 4-5 standard errors after 30 minutes). The incident's error, counted alone,
 * rises from nothing: a new bug is a new fingerprint, and an old one that surges stands out against
 * its own rate, not against all the others.
 *
 * <p>The test, per window: the error's newly hit sessions are Poisson around its rate per app page
 * view learned before (EW sums of both, weight {@code alpha}) times the app's views: errors follow
 * the traffic, which rises fourfold into an evening. For each scale of 1, 2, 4, ... {@code
 * maxWindows} windows the pooled count {@code X} is compared with the rate <i>anchored</i> before
 * the scale's first window times the app's views in the scale, never less than {@code newRate} per
 * window (what an error never seen before is expected at): {@code μ}. Its exact upper tail {@code
 * P(X' >= X | μ)} becomes a standard normal quantile {@code z}. A scale may alert when {@code X >=
 * minSessions} and {@code X >= minRatio·μ}; the highest such z decides against {@code zThreshold}.
 * Each session counts once in its error's life (the first time it is hit), so a visitor who keeps
 * reloading a broken page is one, and pooled counts are close to Poisson.
 *
 * <p>Learning is deferred while a scale past the ratio, with half the minimum sessions, is half-way
 * to the threshold, so the first windows of a surge do not teach the rate that the surge is normal:
 * the held windows are dropped when the surge alerts, and learned when the building ends without an
 * alert (or once they fill the longest scale), so an ordinary error's rate is learned from all its
 * windows and not only from the quiet ones. After {@code relearnAfter} anomalous windows in a row
 * they are learned (the error is here to stay). An app's first {@code warmupWindows} windows only
 * learn: when the job starts, every error is a first occurrence.
 *
 * <p>Knobs ({@link SurgeSpec}): {@code zThreshold}, {@code minSessions}, {@code minRatio}, {@code
 * maxWindows}, {@code newRate}, and the learning constants alpha, warm-up, relearn.
 *
 * <p>Only rises are detected: an error going away is a fix.
 */
public final class SurgeDetector {
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    /**
     * Windows without a new session after which a surge has ended, however much the pooled scales
     * still hold: without it an alert stayed open, and counted as the app's error rise in the
     * correlation with a traffic drop, for up to 32 windows after the error stopped
     * (DetectionPipelineITCase: the demo's Germany drop, 10 minutes after its Safari spike).
     */
    static final int QUIET_WINDOWS = 5;

    private final SurgeSpec spec;

    public SurgeDetector(SurgeSpec spec) {
        this.spec = spec;
    }

    public SurgeSpec spec() {
        return spec;
    }

    /**
     * A new error's state.
     *
     * @param appWarm whether the app's error stream has passed its warm-up: then this error is new,
     *     tested at once against {@link SurgeSpec#newRate()}; else it is one the app already had,
     *     learned first
     */
    public SurgeState newState(boolean appWarm) {
        SurgeState s = new SurgeState(spec.maxWindows());
        s.windows = appWarm ? spec.warmupWindows() : 0;
        // It had no session in the windows before: every scale may pool them (a new error's fifth
        // session, five windows after its first, is tested against 16 or 32 windows of nothing).
        s.filled = s.counts.length;
        return s;
    }

    /**
     * The verdict on one window.
     *
     * @param z the highest z of a scale that may alert (enough sessions and ratio); NaN while the
     *     error is learning, or when no scale may alert
     * @param sessions the pooled sessions of that scale (this window's when none may alert)
     * @param expected the pooled expectation of that scale
     * @param windows the scale's length
     */
    public record Result(double z, long sessions, double expected, int windows, boolean anomaly) {}

    /**
     * Scores a window in which {@code newSessions} sessions met the error for the first time while
     * the app had {@code appViews} page views, then learns it.
     */
    public Result update(SurgeState s, long newSessions, double appViews) {
        double before = s.views > 0 ? s.sessions / s.views : 0;
        int ring = s.counts.length;
        s.counts[s.head] = newSessions;
        s.appViews[s.head] = appViews;
        s.anchors[s.head] = before;
        s.head = (s.head + 1) % ring;
        s.filled = Math.min(s.filled + 1, ring);

        boolean answering = s.windows >= spec.warmupWindows();
        double bestZ = Double.NaN;
        // The highest z of a scale past the ratio with half the sessions: a new error's first
        // sessions are far from its expectation before there are enough of them to alert. Not
        // fewer: holding back every window with two sessions where 0.2 were expected would keep
        // a known error's rate below its daily rise.
        double buildingZ = Double.NaN;
        long bestX = 0;
        double bestMu = 0;
        int bestScale = 0;
        if (answering) {
            long x = 0;
            double views = 0;
            int scale = 1;
            for (int k = 1; k <= s.filled; k++) {
                int slot = Math.floorMod(s.head - k, ring);
                x += s.counts[slot];
                views += s.appViews[slot];
                if (k != scale) {
                    continue;
                }
                scale *= 2;
                // The error's sessions per app view before the scale began, times the app's views
                // in it: a known error that follows the evening's traffic ramp stays as expected.
                double mu = Math.max(s.anchors[slot] * views, k * spec.newRate());
                if (x < spec.minRatio() * mu || 2 * x < spec.minSessions()) {
                    continue;
                }
                double z = upperTailZ(x, mu);
                if (Double.isNaN(buildingZ) || z > buildingZ) {
                    buildingZ = z;
                }
                if (x < spec.minSessions()) {
                    continue;
                }
                if (Double.isNaN(bestZ) || z > bestZ) {
                    bestZ = z;
                    bestX = x;
                    bestMu = mu;
                    bestScale = k;
                }
            }
        }
        // A pooled scale keeps a burst for as many windows as it spans: the surge is over when
        // the error has hit no new session for QUIET_WINDOWS windows, not when the pool forgets.
        boolean ongoing = false;
        for (int k = 1; k <= Math.min(QUIET_WINDOWS, s.filled); k++) {
            ongoing |= s.counts[Math.floorMod(s.head - k, ring)] > 0;
        }
        boolean anomaly = bestZ >= spec.zThreshold() && ongoing;
        s.anomalousRun = anomaly ? s.anomalousRun + 1 : 0;
        boolean building = buildingZ >= spec.zThreshold() / 2;
        boolean learnNow = !building || s.anomalousRun > spec.relearnAfter() || !answering;
        if (anomaly && !learnNow) {
            // The held windows led up to this surge: they are part of it, not the error's rate.
            s.pendingSessions = 0;
            s.pendingViews = 0;
            s.pendingWindows = 0;
        }
        if (learnNow || s.pendingWindows >= ring) {
            // Windows held while a scale was building, which ended without an alert (or, once they
            // fill the longest scale, the oldest has left every scale without one): they were the
            // error's ordinary rate, and are learned now, each as their average. Skipping them for
            // good learned a rare error mostly from its windows without sessions, since the
            // windows with sessions are the ones that build: its rate was learned at a fraction of
            // the true one, and its next few sessions together passed the threshold (held-out
            // files: news-web's Safari wording of an everyday TypeError, 52 sessions in 16 hours,
            // alerted at 8 sessions in a scale against 0.14 expected).
            double sessions = s.pendingSessions / s.pendingWindows;
            double views = s.pendingViews / s.pendingWindows;
            for (int i = 0; i < s.pendingWindows; i++) {
                learn(s, sessions, views, answering);
            }
            s.pendingSessions = 0;
            s.pendingViews = 0;
            s.pendingWindows = 0;
        }
        if (learnNow) {
            learn(s, newSessions, appViews, answering);
        } else if (!anomaly) {
            s.pendingSessions += newSessions;
            s.pendingViews += appViews;
            s.pendingWindows++;
        }
        s.windows++;
        if (Double.isNaN(bestZ)) {
            double expected = Math.max(before * appViews, spec.newRate());
            return new Result(Double.NaN, newSessions, expected, 1, false);
        }
        return new Result(bestZ, bestX, bestMu, bestScale, anomaly);
    }

    private void learn(SurgeState s, double newSessions, double appViews, boolean answering) {
        // Running sums until they hold as many windows as alpha's memory: EW sums started at
        // 0 weigh an old error's first windows too little.
        double weight = Math.max(spec.alpha(), 1.0 / (s.windows + 1));
        if (s.views == 0 && answering) {
            // A new error: the app's views went by without it until now.
            s.views = appViews;
        }
        s.sessions += weight * (newSessions - s.sessions);
        s.views += weight * (appViews - s.views);
    }

    /** The error's sessions per app page view as learned (0 before any view). */
    public static double rate(SurgeState s) {
        return s.views > 0 ? s.sessions / s.views : 0;
    }

    /**
     * {@code P(X' >= x)} for {@code X'} Poisson with mean {@code mu}, as the standard normal
     * quantile with that upper tail. The tail is the regularized lower incomplete gamma function
     * {@code P(x, mu)}, exact where {@code 1 − CDF} would round to 0.
     */
    static double upperTailZ(long x, double mu) {
        if (x <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        double tail = Gamma.regularizedGammaP(x, mu);
        if (tail >= 1) {
            return Double.NEGATIVE_INFINITY;
        }
        if (tail > 1e-15) {
            return -NORMAL.inverseCumulativeProbability(tail);
        }
        // Far out the inverse rounds to infinity; solve the tail's asymptote Q(z) ≈ φ(z)/z
        // instead (relative error below 1 % beyond z = 8), which keeps z increasing in x.
        double logTail = tail > 0 ? Math.log(tail) : -745.0;
        double z = Math.sqrt(-2 * logTail);
        for (int i = 0; i < 5; i++) {
            z = Math.sqrt(-2 * (logTail + Math.log(z) + 0.5 * Math.log(2 * Math.PI)));
        }
        return z;
    }
}
