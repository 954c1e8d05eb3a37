package io.beaconflow.detectors.share;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Detects a segment losing its share of its app's traffic: a browser, a country, a device or an
 * experiment variant whose page views fall while the rest of the app goes on (an outage of one CDN
 * edge, a script that breaks one browser, a market cut off).
 *
 * <p>Why not the segment's own count: the generator's traffic, like real traffic, has lulls of the
 * whole app (news-web's page views fall by half for ten minutes) and each country has its own daily
 * curve. A count test that finds a 60 % drop of one country also fires on every lull
 * (docs/detector-quality.md, sessions 2026-12-03 (5) and (6)). The segment's <b>share</b> of the
 * app's views in the same windows is untouched by a lull of the whole app, and moves slowly with
 * time zones; an outage of one segment moves it at once.
 *
 * <p>The test, per window: the segment's views {@code x} out of the app's {@code T} are a split of
 * the app's views with the share {@code p} learned before (EW sums of both, weight {@code alpha}).
 * For each scale of 1, 2, 4, ... {@code maxWindows} windows, the pooled count {@code X} is tested
 * against the share <i>anchored</i> before the scale's first window (so the windows of the drop
 * itself have not taught the baseline that the drop is normal), by two routes; the lower z of the
 * two, and the lowest over the scales, decides against {@code −zThreshold}:
 *
 * <ol>
 *   <li><b>The share</b>: against the anchored share reduced by the tolerated {@code margin},
 *       {@code z = (X − (1 − margin)·p·ΣT) / sqrt(φ·(1 − margin)·p·ΣT·(1 − p))}. φ is the
 *       overdispersion learned per segment (a visitor's views come together, and a sampled app
 *       weighs each received view).
 *   <li><b>The segment's own views</b>, for big segments: a segment at 65 % of its app losing half
 *       its views falls to 48 %, a fall of its share by only 26 %, which the first route tolerates
 *       however long it lasts (to pass a margin of 30 % on the share, a segment at 65 % must lose
 *       55 % of its views, one at 30 % 38 %, one at 5 % 31 %). The second route takes the margin as
 *       a fall of the segment's views, on two counts that must <i>both</i> show it: against the
 *       rest of the app ({@link #toleratedShare}, the odds) and against the segment's own views per
 *       window anchored before the scale ({@code X} against {@code (1 − margin)·k} times them,
 *       variance φ times that). Either alone is no outage: the share of a big segment falls as much
 *       when the rest of its app grows (a country waking up with another browser mix; over 27
 *       simulated days the odds alone raised 3 false alerts on news-web's Chrome, Safari and
 *       Australia, docs/detector-quality.md), and its own views fall in every lull of the whole
 *       app. Its z is the higher of the two. For a thin segment the route adds next to nothing (its
 *       odds are its share).
 * </ol>
 *
 * <p>Knobs ({@link ShareSpec}): {@code margin} (the relative fall tolerated: of the share on the
 * first route, of the segment's views on the second; the test's own minimum effect size, which
 * keeps a busy segment's slow drift from alerting on its volume alone), {@code zThreshold}, {@code
 * silenceZThreshold} (the silence test's, below), {@code minExpectedViews} (received views a scale
 * must expect: a segment of one view a minute has empty half hours that no count test can tell from
 * an outage), {@code maxWindows}; and the learning constants alpha, warm-up, robust z, relearn.
 *
 * <p><b>Learning</b>: the share is a ratio of EW sums, and a window teaches it in proportion to the
 * app's views in it against the app's usual volume, so an app's quiet night (a few views a window,
 * none of them the thin segment's) does not fade the share to nothing. A window far from the share
 * is learned at the robust weight; a run of {@code relearnAfter} windows that are held (a drop
 * being flagged) or whose pooled views stay beyond robust z above the share (the share has really
 * moved up) is learned at full weight.
 *
 * <p><b>Silence</b> (a second test, for segments too thin for the count test): a segment that has
 * no view at all for a run of windows while its app has traffic. A thin segment's views come from a
 * few visitors each, so its pooled view counts are far from Poisson and a full outage of a segment
 * of two views a minute never passes the count test above; its <i>visitors</i> are the Poisson
 * unit. The segment's arrivals (sessions whose bit in the row's 64-bit session bitmap was not set
 * in the last {@link #ARRIVAL_LOOKBACK} windows, corrected for the bits recent or other new
 * sessions held by linear counting) are learned per app view like its share. A silent run of
 * windows in which the app had {@code T} views then expects about {@code Λ = rate · T} new
 * visitors, and the chance that none came is {@code e^−Λ} (at most: visitors already on the site
 * would have sent views too). Its normal quantile is a z against its own {@code silenceZThreshold}:
 * a run alerts at most once and its z only falls while it lasts, so the tests to budget for are
 * runs, not windows, and an exact bound needs no allowance for a misfit model. Runs are judged up
 * to {@code maxWindows} windows long: the rate is anchored when the run began, and a thin country's
 * arrivals fade with its night. Either test alerts; the result reports the one nearer its
 * threshold. No margin applies: a share of exactly zero is not a drift.
 *
 * <p>Only falls are detected: a segment gaining share is a campaign or a crawler, not an outage,
 * and rises of clustered counts are heavy-tailed.
 */
public final class ShareDetector {
    /**
     * Windows a session bit must have been unset to count as a new arrival. A visitor's views come
     * minutes apart, so a shorter memory counts one visitor again after each pause (overestimating
     * arrivals, which would make the silence bound anti-conservative); a longer one misses visitors
     * whose bit another visitor held (the bitmap has 64 bits).
     */
    public static final int ARRIVAL_LOOKBACK = 10;

    /** Weight of a window in the app's usual volume per window (~400 windows of memory). */
    static final double APP_LEVEL_ALPHA = 0.0025;

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private final ShareSpec spec;

    /** E[Z² | |Z| <= robustZ] for a standard normal Z (0.911 at 2.5). */
    private final double truncatedSecondMoment;

    public ShareDetector(ShareSpec spec) {
        this.spec = spec;
        double c = spec.robustZ();
        NormalDistribution n = new NormalDistribution(null, 0, 1);
        double inside = 2 * n.cumulativeProbability(c) - 1;
        this.truncatedSecondMoment = 1 - 2 * c * n.density(c) / inside;
    }

    public ShareSpec spec() {
        return spec;
    }

    public ShareState newState() {
        return new ShareState(spec.maxWindows());
    }

    /**
     * The verdict on one window.
     *
     * @param share the segment's share of the app's views in this window
     * @param expectedShare the share expected before this window (NaN while warming up)
     * @param z the lowest z over the pooled scales (NaN when no scale was tested)
     * @param windows the scale of that z, in windows (0 when none)
     * @param observed the scale's pooled views of the segment
     * @param expected the scale's expected views at the anchored share (before the margin)
     * @param anomaly z is at or below −zThreshold
     */
    public record Result(
            double share,
            double expectedShare,
            double z,
            int windows,
            double observed,
            double expected,
            boolean anomaly) {}

    /**
     * Scores a window and learns from it.
     *
     * @param segmentViews the segment's (weighted) page views in the window; 0 when it had none
     * @param appViews the app's (weighted) page views in the window
     * @param receivedShare received views per weighted view of the app in the window (its sample
     *     rate: 1 when every view is sent, 0.25 when one in four)
     * @param sessionBits the segment's session bitmap in the window (bit {@code h mod 64} per
     *     session hash {@code h}); 0 when it had no view or the row carries none (then no arrivals
     *     are learned, and the silence test has nothing to expect)
     */
    public Result update(
            ShareState s,
            double segmentViews,
            double appViews,
            double receivedShare,
            long sessionBits) {
        if (!(appViews > 0) || !(segmentViews >= 0)) {
            return new Result(Double.NaN, expectedShare(s), Double.NaN, 0, 0, 0, false);
        }
        double x = Math.min(segmentViews, appViews);
        double p = expectedShare(s);
        boolean warm = s.windows >= spec.warmupWindows() && p > 0 && p < 1;
        push(
                s,
                x,
                appViews,
                appViews * clamp01(receivedShare),
                warm ? p : Double.NaN,
                warm ? s.segmentViews : Double.NaN);
        double arrivals = arrivals(s, x > 0 ? sessionBits : 0);

        double bestZ = Double.NaN;
        int bestK = 0;
        double bestObserved = 0;
        double bestExpected = 0;
        if (warm) {
            for (int k = 1; k <= Math.min(spec.maxWindows(), s.filled); k *= 2) {
                double anchor = s.anchors[slot(s, k - 1)];
                if (Double.isNaN(anchor)) {
                    continue;
                }
                double sumX = 0;
                double sumT = 0;
                double sumReceived = 0;
                for (int i = 0; i < k; i++) {
                    int j = slot(s, i);
                    sumX += s.views[j];
                    sumT += s.totals[j];
                    sumReceived += s.received[j];
                }
                if (anchor * sumReceived < spec.minExpectedViews()) {
                    continue;
                }
                double z = shareZ(sumX, sumT, anchor, s.dispersion);
                double countAnchor = s.countAnchors[slot(s, k - 1)];
                if (countAnchor > 0) {
                    // The second route: the segment's views fell by more than the margin both
                    // against the rest of the app (the odds) and against its own views before.
                    double pTolerated = toleratedShare(anchor, spec.margin());
                    double tolerated = pTolerated * sumT;
                    double oddsZ =
                            (sumX - tolerated)
                                    / Math.sqrt(s.dispersion * tolerated * (1 - pTolerated));
                    double ownTolerated = (1 - spec.margin()) * countAnchor * k;
                    double ownZ = (sumX - ownTolerated) / Math.sqrt(s.dispersion * ownTolerated);
                    z = Math.min(z, Math.max(oddsZ, ownZ));
                }
                if (Double.isNaN(bestZ) || z < bestZ) {
                    bestZ = z;
                    bestK = k;
                    bestObserved = sumX;
                    bestExpected = anchor * sumT;
                }
            }
        }
        double silenceZ = silence(s, x, appViews, warm);
        boolean anomaly =
                (!Double.isNaN(bestZ) && bestZ <= -spec.zThreshold())
                        || (!Double.isNaN(silenceZ) && silenceZ <= -spec.silenceZThreshold());
        // Evidence half-way to the threshold holds the learning too: the windows of an outage
        // before the pooled scales reach the threshold would otherwise lower the expected share
        // and widen the spread that the outage is then measured with.
        boolean suspect =
                (!Double.isNaN(bestZ) && bestZ <= -spec.zThreshold() / 2)
                        || (!Double.isNaN(silenceZ) && silenceZ <= -spec.silenceZThreshold() / 2);
        if (!Double.isNaN(silenceZ)
                && (Double.isNaN(bestZ)
                        || silenceZ / spec.silenceZThreshold() < bestZ / spec.zThreshold())) {
            // The result reports the test nearer its own threshold.
            bestZ = silenceZ;
            bestK = s.silentRun;
            bestObserved = 0;
            bestExpected = p * s.silentAppViews;
        }
        learn(s, x, appViews, p, arrivals, suspect);
        return new Result(x / appViews, p, bestZ, bestK, bestObserved, bestExpected, anomaly);
    }

    /**
     * The share the segment would keep had its views fallen by {@code margin} while the rest of its
     * app's stayed, {@code (1 − margin)·p / (1 − margin·p)}: the second route's tolerated share.
     * For a thin segment it is about {@code (1 − margin)·p}, the first route's; for a big one it is
     * far above it (65 % and a margin of 30 %: 56.5 % against 45.5 %).
     */
    public static double toleratedShare(double share, double margin) {
        return (1 - margin) * share / (1 - margin * share);
    }

    /**
     * The first route's z: the pooled views against {@code (1 − margin)} times the anchored share
     * of the app's, the margin taken on the share itself.
     */
    private double shareZ(double sumX, double sumT, double anchor, double dispersion) {
        double tolerated = (1 - spec.margin()) * anchor * sumT;
        return (sumX - tolerated) / Math.sqrt(dispersion * tolerated * (1 - anchor));
    }

    /** The segment's arrivals per app view learned so far (0 before any). */
    public static double arrivalRate(ShareState s) {
        return s.appViews > 0 ? s.newSessions / s.appViews : 0;
    }

    /** New sessions in this window's bitmap, and the bitmap into the lookback ring. */
    private static double arrivals(ShareState s, long bits) {
        if (s.recentBits == null || s.recentBits.length != ARRIVAL_LOOKBACK) {
            s.recentBits = new long[ARRIVAL_LOOKBACK]; // state from before the silence test
        }
        long seen = 0;
        for (long b : s.recentBits) {
            seen |= b;
        }
        System.arraycopy(s.recentBits, 0, s.recentBits, 1, ARRIVAL_LOOKBACK - 1);
        s.recentBits[0] = bits;
        return newArrivals(Long.bitCount(bits & ~seen), 64 - Long.bitCount(seen));
    }

    /**
     * The sessions that most likely set {@code newBits} of the {@code freeBits} bits no recent
     * session held: linear counting (Whang, Vander-Zanden and Taylor, 1990). A new session whose
     * bit a recent one held, or another new one took, is not seen, so the plain count of new bits
     * undercounts arrivals by about the share of bits already held: ~15 % for a segment of a few
     * views a minute in its busy hours, where the rate is mostly learned, which the silence test
     * then expected of its quiet hours. Capped where every free bit is new (the estimate is
     * unbounded there).
     */
    static double newArrivals(int newBits, int freeBits) {
        if (newBits <= 0 || freeBits <= 0) {
            return 0;
        }
        double taken = Math.min(newBits, freeBits - 0.5);
        return Math.log(1 - taken / freeBits) / Math.log(1 - 1.0 / 64);
    }

    /**
     * The silence test's z for the run of view-less windows up to this one (NaN when the segment
     * had views, is warming up, or nothing was expected).
     */
    private double silence(ShareState s, double x, double appViews, boolean warm) {
        if (x > 0) {
            s.silentRun = 0;
            s.silentAppViews = 0;
            s.silentRate = Double.NaN;
            return Double.NaN;
        }
        if (s.silentRun == 0) {
            // Anchored before the run: its own windows must not teach the rate that they are
            // normal.
            s.silentRate = warm ? arrivalRate(s) : Double.NaN;
        }
        s.silentRun++;
        s.silentAppViews += appViews;
        double lambda = s.silentRate * s.silentAppViews;
        if (!(lambda > 0) || s.silentRun > spec.maxWindows()) {
            // Longer than the longest scale: no verdict. The rate was anchored when the run began,
            // and over hours a thin country's arrivals fade with its night while the app stays
            // busy elsewhere: a clean simulated week at a twentieth of the traffic raised five
            // false silences on news-web's Australia, each after hours without a view. An outage
            // has alerted by then; its alert resolves when the signals stop (no data).
            return Double.NaN;
        }
        // P(no arrival) = e^−Λ as a lower-tail normal quantile; below ~1e-300 the quantile is
        // past every threshold anyway.
        double logP = -lambda;
        return logP < -690 ? -37.5 : STANDARD_NORMAL.inverseCumulativeProbability(Math.exp(logP));
    }

    /** The share expected for the next window; NaN before any app traffic. */
    public static double expectedShare(ShareState s) {
        return s.appViews > 0 ? s.segmentViews / s.appViews : Double.NaN;
    }

    private void learn(ShareState s, double x, double t, double p, double arrivals, boolean held) {
        double weight = 1;
        if (p > 0 && p < 1) {
            double pearson = (x - p * t) / Math.sqrt(t * p * (1 - p));
            double z1 = pearson / Math.sqrt(s.dispersion);
            boolean relearn =
                    s.anomalousRun >= spec.relearnAfter() || s.aboveRun >= spec.relearnAfter();
            s.anomalousRun = held ? s.anomalousRun + 1 : 0;
            s.aboveRun = pooledAbove(s, p) ? s.aboveRun + 1 : 0;
            if (held && !relearn) {
                return; // an outage must not teach the baseline that it is normal
            }
            if (Math.abs(z1) > spec.robustZ() && !relearn) {
                weight = Math.pow(spec.robustZ() / Math.abs(z1), 2);
            }
            // Warm-up: a running mean. After it, ~50 windows of memory, from the windows inside
            // robust z only (divided by the truncated normal's second moment, so the estimate stays
            // consistent): the first windows of an outage, before
            // the pooled scales flag it, must not widen the spread the outage is measured with.
            if (s.windows < spec.warmupWindows()) {
                double beta = 1.0 / (s.windows + 1);
                s.dispersion = (1 - beta) * s.dispersion + beta * pearson * pearson;
            } else if (Math.abs(z1) <= spec.robustZ()) {
                double r2 = pearson * pearson / truncatedSecondMoment;
                s.dispersion = 0.98 * s.dispersion + 0.02 * r2;
            }
            // Never below a binomial split: a visitor's views come together, so a segment's count
            // is at least as spread as independent views would be. Learned only from the windows
            // near the expectation, the estimate of a segment whose share had faded to nearly
            // nothing fell to 0.001 (its windows of zero views fit any tiny share), and every later
            // window lay beyond robust z and taught nothing.
            s.dispersion = Math.max(1, s.dispersion);
        }
        // A window teaches in proportion to the app's views in it, against the app's usual
        // volume (an EW mean over ~400 windows): in the app's quiet hours a thin segment has no
        // view in most windows, and at full weight per window those windows faded its share by
        // alpha each, to 1e-8 over a night, though a window of a few app views says almost
        // nothing about a 5 % share.
        s.appLevel = s.appLevel > 0 ? (1 - APP_LEVEL_ALPHA) * s.appLevel + APP_LEVEL_ALPHA * t : t;
        double a = spec.alpha() * weight * Math.min(1, t / s.appLevel);
        s.segmentViews = (1 - a) * s.segmentViews + a * x;
        s.newSessions = (1 - a) * s.newSessions + a * arrivals;
        s.appViews = (1 - a) * s.appViews + a * t;
        s.windows++;
    }

    /**
     * Whether the segment's views over the ring (up to {@code maxWindows} windows) lie more than
     * {@code robustZ} standard errors above the share expected now. The robust weight learns a
     * window far above the expectation at weight {@code (robustZ / z)²}, which vanishes as z grows:
     * once a thin segment's share had faded to almost nothing over the app's quiet hours (a country
     * with no view in most windows of the night decays its share by {@code alpha} per window, to
     * 1e-8 by the morning), its morning windows lay thousands of standard errors above it and were
     * learned at weight ~1e-8, so the share stayed at nothing all day and an outage of the segment
     * was never tested (news-web's Brazil and Japan, docs/detector-quality.md, session 2026-12-06
     * (5)). A run of {@code relearnAfter} windows whose pooled views stay that far above relearns
     * the share at full weight, as a run of held windows does below. Pooled rather than per window:
     * a thin segment's windows alternate between zero and a few views.
     */
    private boolean pooledAbove(ShareState s, double p) {
        double sumX = 0;
        double sumT = 0;
        for (int i = 0; i < s.filled; i++) {
            int j = slot(s, i);
            sumX += s.views[j];
            sumT += s.totals[j];
        }
        double expected = p * sumT;
        if (!(expected > 0)) {
            return false;
        }
        double z = (sumX - expected) / Math.sqrt(s.dispersion * expected * (1 - p));
        return z > spec.robustZ();
    }

    private static void push(
            ShareState s, double x, double t, double received, double anchor, double count) {
        if (s.countAnchors == null || s.countAnchors.length != s.views.length) {
            // State from before the second route: it answers once its ring has filled again.
            s.countAnchors = new double[s.views.length];
            Arrays.fill(s.countAnchors, Double.NaN);
        }
        s.countAnchors[s.head] = count;
        s.views[s.head] = x;
        s.totals[s.head] = t;
        s.received[s.head] = received;
        s.anchors[s.head] = anchor;
        s.head = (s.head + 1) % s.views.length;
        s.filled = Math.min(s.filled + 1, s.views.length);
    }

    /** The ring slot {@code back} windows before the newest (0 = the newest). */
    private static int slot(ShareState s, int back) {
        int n = s.views.length;
        return ((s.head - 1 - back) % n + n) % n;
    }

    private static double clamp01(double v) {
        return Double.isNaN(v) ? 1 : Math.min(1, Math.max(0, v));
    }
}
