package io.beaconflow.detectors.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;

class ShareDetectorTest {
    static final int DAY = 1440;

    /** The shipped settings (flink-conf/beaconflow.yaml, detection.segment-share). */
    static ShareSpec shipped() {
        return ShareSpec.of(0.3, 6.5, 3.9, 60, 32);
    }

    /** One window of traffic: the segment's and the app's views. */
    record Window(double segment, double app) {}

    /**
     * Visits arrive as a Poisson process (mean {@code visitsPerWindow} times the app's daily curve,
     * times {@code appFactor(i)}); each brings 1-6 views in its window (a visitor's views come
     * together, the overdispersion the detector learns) and belongs to the segment with probability
     * {@code share} times {@code segmentFactor(i)}.
     */
    static List<Window> traffic(
            long seed,
            int windows,
            double visitsPerWindow,
            double share,
            IntToDoubleFunction appFactor,
            IntToDoubleFunction segmentFactor) {
        Random rnd = new Random(seed);
        MersenneTwister mt = new MersenneTwister(seed);
        List<Window> out = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            double daily = 1 + 0.6 * Math.sin(2 * Math.PI * i / DAY);
            double mean = visitsPerWindow * daily * appFactor.applyAsDouble(i);
            int visits =
                    mean > 0
                            ? new PoissonDistribution(
                                            mt,
                                            mean,
                                            PoissonDistribution.DEFAULT_EPSILON,
                                            PoissonDistribution.DEFAULT_MAX_ITERATIONS)
                                    .sample()
                            : 0;
            double p = share * segmentFactor.applyAsDouble(i);
            double segment = 0;
            double app = 0;
            for (int v = 0; v < visits; v++) {
                int views = 1 + rnd.nextInt(6);
                app += views;
                if (rnd.nextDouble() < p) {
                    segment += views;
                }
            }
            out.add(new Window(segment, app));
        }
        return out;
    }

    static List<ShareDetector.Result> run(ShareSpec spec, List<Window> traffic) {
        ShareDetector d = new ShareDetector(spec);
        ShareState s = d.newState();
        List<ShareDetector.Result> out = new ArrayList<>();
        for (Window w : traffic) {
            out.add(d.update(s, w.segment(), w.app(), 1, 0));
        }
        return out;
    }

    /** Windows from {@code onset} to the first anomaly within {@code within}; -1 if none. */
    static int firstAnomaly(List<ShareDetector.Result> results, int onset, int within) {
        for (int i = onset; i < onset + within; i++) {
            if (results.get(i).anomaly()) {
                return i - onset;
            }
        }
        return -1;
    }

    static long anomalies(List<ShareDetector.Result> results, int from, int to) {
        return results.subList(from, to).stream().filter(ShareDetector.Result::anomaly).count();
    }

    @Test
    void threeDaysOfOrdinaryTrafficWithLullsRaiseNothing() {
        for (long seed = 1; seed <= 5; seed++) {
            // Lulls of the whole app: down to 40 % for 20 minutes every 6 hours.
            IntToDoubleFunction lulls = i -> (i % 360) < 20 ? 0.4 : 1;
            List<ShareDetector.Result> r =
                    run(shipped(), traffic(seed, 3 * DAY, 40, 0.2, lulls, i -> 1));
            assertThat(anomalies(r, 0, r.size())).as("seed %d", seed).isZero();
        }
    }

    @Test
    void aSegmentCutToAFifthIsFoundWithinMinutesAndTheLullIsNot() {
        int onset = DAY;
        for (long seed = 1; seed <= 5; seed++) {
            List<Window> t =
                    traffic(
                            seed,
                            DAY + 60,
                            100,
                            0.2,
                            i -> 1,
                            i -> i >= onset && i < onset + 30 ? 0.2 : 1);
            List<ShareDetector.Result> r = run(shipped(), t);
            assertThat(anomalies(r, 0, onset)).as("seed %d before", seed).isZero();
            // ~70 views a window cut to ~14
            assertThat(firstAnomaly(r, onset, 30))
                    .as("seed %d: windows to the first anomaly", seed)
                    .isBetween(0, 15);
        }
    }

    @Test
    void theBaselineDoesNotLearnTheOutageItIsFlagging() {
        int onset = DAY;
        List<Window> t =
                traffic(3, DAY + 60, 40, 0.2, i -> 1, i -> i >= onset && i < onset + 40 ? 0 : 1);
        List<ShareDetector.Result> r = run(shipped(), t);
        double before = r.get(onset).expectedShare();
        assertThat(before).isCloseTo(0.2, within(0.05));
        // 40 minutes at zero: every anomalous window is left out of the expected share
        assertThat(r.get(onset + 39).expectedShare()).isCloseTo(before, within(0.02));
        int first = onset;
        while (!r.get(first).anomaly()) {
            first++;
        }
        assertThat(first - onset).as("windows to the first anomaly").isLessThanOrEqualTo(12);
        // ... and from then on, nearly every window of the outage is one (the pooled z of a
        // scale that has just reached the outage can sit at the threshold for a window)
        assertThat(anomalies(r, first, onset + 40))
                .isGreaterThanOrEqualTo((long) (0.9 * (onset + 40 - first)));
    }

    @Test
    void theMarginKeepsABusySegmentsSmallDriftQuietAndAnOutageDoesNot() {
        // 2,000 visits a window: a 15 % fall of the share is many standard errors, and tolerated.
        IntToDoubleFunction drift = i -> i >= DAY ? 0.85 : 1;
        List<ShareDetector.Result> small =
                run(shipped(), traffic(7, DAY + 60, 2000, 0.3, i -> 1, drift));
        assertThat(anomalies(small, 0, small.size())).isZero();
        IntToDoubleFunction outage = i -> i >= DAY ? 0.5 : 1;
        List<ShareDetector.Result> half =
                run(shipped(), traffic(7, DAY + 60, 2000, 0.3, i -> 1, outage));
        assertThat(half.get(DAY).anomaly()).as("a busy segment halved: its first window").isTrue();
    }

    /**
     * The factor on a segment's share that a fall of its own views by {@code fall} (the rest of the
     * app's views unchanged) makes: its share goes from p to (1 − f)·p / (1 − f·p).
     */
    static double shareFactorOfAFall(double share, double fall) {
        return (1 - fall) / (1 - fall * share);
    }

    /**
     * A day and an hour of {@link #traffic} in which a segment at share {@code p} loses {@code
     * fall} of its visits in windows [from, to): the app keeps {@code 1 − fall·p} of its visits,
     * and the segment's share of them falls by {@link #shareFactorOfAFall}.
     */
    static List<Window> segmentLoses(
            long seed, double visits, double p, double fall, int from, int to) {
        IntToDoubleFunction during = i -> i >= from && i < to ? 1 : 0;
        return traffic(
                seed,
                DAY + 60,
                visits,
                p,
                i -> during.applyAsDouble(i) > 0 ? 1 - fall * p : 1,
                i -> during.applyAsDouble(i) > 0 ? shareFactorOfAFall(p, fall) : 1);
    }

    @Test
    void theToleratedShareIsTheShareAfterTheSegmentsViewsFellByTheMargin() {
        for (double p : new double[] {0.01, 0.2, 0.65, 0.95}) {
            // The segment keeps 70 of every 100 views, the rest all of theirs.
            double kept = 0.7 * p;
            assertThat(ShareDetector.toleratedShare(p, 0.3))
                    .as("share %s", p)
                    .isCloseTo(kept / (kept + (1 - p)), within(1e-12));
        }
        assertThat(ShareDetector.toleratedShare(0.4, 0)).isEqualTo(0.4);
        // A thin segment: almost the plain (1 − margin)·p.
        assertThat(ShareDetector.toleratedShare(0.01, 0.3)).isCloseTo(0.007, within(3e-5));
    }

    /**
     * A big segment (65 % of the app, Chrome's share on a typical site) losing half its views drops
     * to 48 %: a fall of its share by 26 %, inside a margin of 30 % taken on the share, so the
     * share route alone never found it however many views stood behind it. Its views fell by half
     * against the rest of the app's and against its own before: the second route finds it. The same
     * fall of the share when the rest of the app's views double (a campaign, a country waking up
     * with another browser mix) leaves the segment's own views as they were: nothing. A fall of a
     * fifth of its views stays inside the margin.
     */
    @Test
    void aBigSegmentLosingHalfItsViewsIsFoundAndTheRestGrowingIsNot() {
        int onset = DAY;
        double p = 0.65;
        for (long seed = 1; seed <= 3; seed++) {
            List<ShareDetector.Result> r =
                    run(shipped(), segmentLoses(seed, 300, p, 0.5, onset, onset + 30));
            assertThat(anomalies(r, 0, onset)).as("seed %d before", seed).isZero();
            assertThat(r.get(onset + 5).share()).isCloseTo(0.48, within(0.1));
            assertThat(firstAnomaly(r, onset, 30))
                    .as("seed %d: windows to the first anomaly", seed)
                    .isBetween(0, 20);

            // The rest of the app doubles for an hour: the segment's share falls from 65 % to
            // 48 % as above, its own views stay.
            double grown = p + 2 * (1 - p);
            List<ShareDetector.Result> g =
                    run(
                            shipped(),
                            traffic(
                                    seed,
                                    DAY + 60,
                                    300,
                                    p,
                                    i -> i >= onset ? grown : 1,
                                    i -> i >= onset ? 1 / grown : 1));
            assertThat(anomalies(g, 0, g.size())).as("seed %d, the rest grew", seed).isZero();

            List<ShareDetector.Result> q =
                    run(shipped(), segmentLoses(seed, 2000, p, 0.2, onset, DAY + 60));
            assertThat(anomalies(q, 0, q.size())).as("seed %d, a fifth", seed).isZero();
        }
    }

    /**
     * State restored from a savepoint taken before the second route has no ring of the segment's
     * own views: the share route answers at once, the second route once the ring has filled again,
     * and a big segment's loss of half its views is then found as in fresh state.
     */
    @Test
    void stateFromBeforeTheSecondRouteAnswersOnTheShareAtOnceAndOnBothOnceItsRingFilled() {
        double p = 0.65;
        int onset = DAY;
        List<Window> t = segmentLoses(2, 300, p, 0.5, onset, onset + 30);
        ShareDetector d = new ShareDetector(shipped());
        ShareState s = d.newState();
        List<ShareDetector.Result> r = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            if (i == DAY / 2) {
                s.countAnchors = null; // as restored from the older state
            }
            Window w = t.get(i);
            r.add(d.update(s, w.segment(), w.app(), 1, 0));
            if (i == DAY / 2) {
                assertThat(r.get(i).z()).isNotNaN();
                assertThat(s.countAnchors).hasSize(32);
            }
        }
        assertThat(anomalies(r, 0, onset)).isZero();
        assertThat(firstAnomaly(r, onset, 30)).isBetween(0, 20);
    }

    @Test
    void aSegmentTooThinForTheGateGetsNoVerdictEvenAtZero() {
        // 2 visits a window at 10 %: a scale of 32 windows expects ~22 views, under 60.
        List<ShareDetector.Result> r =
                run(shipped(), traffic(5, DAY + 40, 2, 0.1, i -> 1, i -> i >= DAY ? 0 : 1));
        for (ShareDetector.Result x : r.subList(DAY, DAY + 40)) {
            assertThat(x.z()).isNaN();
            assertThat(x.anomaly()).isFalse();
        }
    }

    @Test
    void nothingAnswersBeforeTheWarmUpAndNoScaleReachesBackIntoIt() {
        List<ShareDetector.Result> r =
                run(shipped(), traffic(2, 80, 40, 0.2, i -> 1, i -> i >= 30 ? 0 : 1));
        for (int i = 0; i < 30; i++) {
            assertThat(r.get(i).z()).as("window %d", i).isNaN();
        }
        // At window 31 the longest scale that may be tested starts at window 30 (the first with a
        // warmed-up anchor): 2 windows, not 32 reaching back to the first window's share.
        assertThat(r.get(31).windows()).isLessThanOrEqualTo(2);
    }

    /**
     * With no overdispersion (dispersion 1) and no margin, a window's z is the normal approximation
     * of the binomial split: its normal tail agrees with Commons Math's exact binomial CDF.
     */
    @Test
    void theZOfOneWindowIsTheBinomialSplitsNormalApproximation() {
        ShareSpec spec = new ShareSpec(0, 2.5, 5, 0, 1, 0.05, 1, 1e9, 60);
        ShareDetector d = new ShareDetector(spec);
        ShareState s = d.newState();
        s.segmentViews = 0.25 * 4000; // an expected share of 25 %
        s.appViews = 4000;
        s.windows = 100;
        s.dispersion = 1;
        int n = 4000;
        int k = 930; // 70 below the expected 1,000
        ShareDetector.Result r = d.update(s, k, n, 1, 0);
        double exactTail = new BinomialDistribution(null, n, 0.25).cumulativeProbability(k);
        double normalTail = new NormalDistribution(null, 0, 1).cumulativeProbability(r.z());
        assertThat(r.z()).isCloseTo((k - 1000) / Math.sqrt(n * 0.25 * 0.75), within(1e-9));
        assertThat(normalTail).isCloseTo(exactTail, within(0.15 * exactTail));
        assertThat(r.anomaly()).isTrue(); // z = -2.56, beyond the threshold of 2.5
    }

    /** One window of a segment with its visitors' session bitmap. */
    record SessionWindow(double segment, double app, long bits) {}

    /**
     * Visitors as sessions: they arrive as a Poisson process ({@code arrivalsPerWindow} times the
     * daily curve and {@code appFactor(i)}), stay 1-16 windows (mean ~8.5) and send a view in a
     * window with probability 0.7 (a few minutes between views). Each belongs to the segment with
     * probability {@code share} and has one of 64 session bits; in window i a segment visitor's
     * view is sent with probability {@code segmentFactor(i)} (0: an outage, the visitors already on
     * the site lose their views too).
     */
    static List<SessionWindow> sessions(
            long seed,
            int windows,
            double arrivalsPerWindow,
            double share,
            IntToDoubleFunction appFactor,
            IntToDoubleFunction segmentFactor) {
        Random rnd = new Random(seed);
        MersenneTwister mt = new MersenneTwister(seed);
        double[] segment = new double[windows];
        double[] app = new double[windows];
        long[] bits = new long[windows];
        for (int i = 0; i < windows; i++) {
            double daily = 1 + 0.6 * Math.sin(2 * Math.PI * i / DAY);
            double mean = arrivalsPerWindow * daily * appFactor.applyAsDouble(i);
            int arrivals =
                    new PoissonDistribution(
                                    mt,
                                    mean,
                                    PoissonDistribution.DEFAULT_EPSILON,
                                    PoissonDistribution.DEFAULT_MAX_ITERATIONS)
                            .sample();
            for (int a = 0; a < arrivals; a++) {
                boolean inSegment = rnd.nextDouble() < share;
                int bit = rnd.nextInt(64);
                int length = 1 + rnd.nextInt(16);
                for (int j = i; j < Math.min(windows, i + length); j++) {
                    if (rnd.nextDouble() >= 0.7) {
                        continue;
                    }
                    app[j]++;
                    if (inSegment && rnd.nextDouble() < segmentFactor.applyAsDouble(j)) {
                        segment[j]++;
                        bits[j] |= 1L << bit;
                    }
                }
            }
        }
        List<SessionWindow> out = new ArrayList<>();
        for (int i = 0; i < windows; i++) {
            out.add(new SessionWindow(segment[i], app[i], bits[i]));
        }
        return out;
    }

    static List<ShareDetector.Result> runSessions(ShareSpec spec, List<SessionWindow> traffic) {
        ShareDetector d = new ShareDetector(spec);
        ShareState s = d.newState();
        List<ShareDetector.Result> out = new ArrayList<>();
        for (SessionWindow w : traffic) {
            out.add(d.update(s, w.segment(), w.app(), 1, w.bits()));
        }
        return out;
    }

    /** The production gate (150 received views): the count test never reaches a thin segment. */
    static ShareSpec shippedGate() {
        return ShareSpec.of(0.3, 6.5, 3.9, 150, 32);
    }

    @Test
    void aThinSegmentGoingDarkIsFoundByItsMissingVisitors() {
        int onset = DAY;
        for (long seed = 1; seed <= 5; seed++) {
            // ~0.6 visitors arrive a window, ~3.6 views a window: a pooled count of 32 windows
            // expects ~115 views, under the gate, so only the silence test can answer (e^-10, z
            // 3.9, after ~17 windows).
            List<SessionWindow> t =
                    sessions(
                            seed,
                            DAY + 60,
                            10,
                            0.06,
                            i -> 1,
                            i -> i >= onset && i < onset + 40 ? 0 : 1);
            List<ShareDetector.Result> r = runSessions(shippedGate(), t);
            assertThat(anomalies(r, 0, onset)).as("seed %d before", seed).isZero();
            int first = firstAnomaly(r, onset, 40);
            assertThat(first).as("seed %d: windows to the first anomaly", seed).isBetween(10, 30);
            assertThat(r.get(onset + first).observed()).isZero();
            assertThat(anomalies(r, onset + 40, onset + 60)).as("after it").isZero();
        }
    }

    @Test
    void aThinSegmentsShareComesBackAfterTheAppsQuietNightAndItsOutageIsFound() {
        // Five quiet hours a night (the app at 4 %: the segment has no view in almost every
        // window, and its share decays by alpha per window to ~1e-7 by the morning), then the day.
        IntToDoubleFunction nights = i -> (i % DAY) >= 360 && (i % DAY) < 660 ? 0.04 : 1;
        int onset = DAY + 900; // four hours after the second night
        for (long seed = 1; seed <= 5; seed++) {
            List<SessionWindow> t =
                    sessions(
                            seed,
                            onset + 60,
                            10,
                            0.1,
                            nights,
                            i -> i >= onset && i < onset + 40 ? 0 : 1);
            List<ShareDetector.Result> r = runSessions(shippedGate(), t);
            assertThat(anomalies(r, 0, onset)).as("seed %d before", seed).isZero();
            // Before the fix the share stayed at ~1e-7 all day: each morning window lay thousands
            // of standard errors above it and was learned at weight (2.5 / z)^2.
            assertThat(r.get(onset - 1).expectedShare())
                    .as("seed %d: the share learned back by the outage", seed)
                    .isBetween(0.05, 0.2);
            // ~1 visitor a window: the silence test answers while the outage lasts
            assertThat(firstAnomaly(r, onset, 40))
                    .as("seed %d: windows to the first anomaly", seed)
                    .isBetween(5, 39);
        }
    }

    @Test
    void newArrivalsAreCountedBackFromTheBitsTheyCouldStillSet() {
        // N sessions on random bits of 64, of which `held` are taken by recent sessions: the bits
        // newly set undercount N; linear counting recovers it on average.
        MersenneTwister mt = new MersenneTwister(7);
        for (int held : new int[] {0, 10, 30}) {
            for (int n : new int[] {1, 3, 8}) {
                double plain = 0;
                double estimated = 0;
                int trials = 20_000;
                for (int trial = 0; trial < trials; trial++) {
                    long seen = held == 0 ? 0 : (1L << held) - 1; // bits 0 .. held-1
                    long fresh = 0;
                    for (int i = 0; i < n; i++) {
                        fresh |= 1L << mt.nextInt(64);
                    }
                    int newBits = Long.bitCount(fresh & ~seen);
                    plain += newBits;
                    estimated += ShareDetector.newArrivals(newBits, 64 - held);
                }
                assertThat(estimated / trials)
                        .as("held %d, %d sessions", held, n)
                        .isCloseTo(n, within(0.05 * n));
                if (held > 0) {
                    assertThat(plain / trials).as("the plain count").isLessThan(0.9 * n);
                }
            }
        }
        assertThat(ShareDetector.newArrivals(0, 64)).isZero();
        assertThat(ShareDetector.newArrivals(5, 5)).isFinite();
    }

    @Test
    void thinSegmentsWithNaturalGapsAndLullsStayQuietForThreeDays() {
        IntToDoubleFunction lulls = i -> (i % 360) < 20 ? 0.4 : 1;
        for (long seed = 1; seed <= 5; seed++) {
            for (double share : new double[] {0.005, 0.02, 0.06}) {
                List<ShareDetector.Result> r =
                        runSessions(
                                shippedGate(), sessions(seed, 3 * DAY, 10, share, lulls, i -> 1));
                assertThat(anomalies(r, 0, r.size())).as("seed %d, share %s", seed, share).isZero();
            }
        }
    }

    /**
     * A silent run's z is the normal quantile of no arrival in a Poisson process at the rate
     * learned before the run: Commons Math's Poisson probability of zero.
     */
    static double normalQuantileOfNoArrival(double expectedVisitors) {
        double p0 = new PoissonDistribution(null, expectedVisitors, 1e-12, 100).probability(0);
        return new NormalDistribution(null, 0, 1).inverseCumulativeProbability(p0);
    }

    @Test
    void theSilenceZIsTheNormalQuantileOfNoVisitorArriving() {
        ShareSpec spec = new ShareSpec(0.3, 6.5, 3.9, 1e9, 32, 0.05, 1, 2.5, 60);
        ShareDetector d = new ShareDetector(spec);
        ShareState s = d.newState();
        s.segmentViews = 0.05 * 1000;
        s.appViews = 1000;
        s.newSessions = 0.006 * 1000; // 0.6 arrivals per 100 app views
        s.windows = 100;
        ShareDetector.Result r = null;
        for (int i = 0; i < 10; i++) {
            r = d.update(s, 0, 100, 1, 0);
        }
        // The first silent window anchors the rate; 10 windows of 100 app views expect 6 visitors.
        assertThat(r.z()).isCloseTo(normalQuantileOfNoArrival(6), within(1e-6));
        assertThat(r.windows()).isEqualTo(10);
        assertThat(r.anomaly()).isFalse(); // e^-6: z = -3.2, short of 3.9
        for (int i = 10; i < 20; i++) {
            r = d.update(s, 0, 100, 1, 0);
        }
        assertThat(r.z()).isCloseTo(normalQuantileOfNoArrival(12), within(1e-6));
        assertThat(r.anomaly()).isTrue(); // e^-12: z = -4.8
        // One view ends the run: the next silent window starts from nothing.
        d.update(s, 1, 100, 1, 1L);
        assertThat(d.update(s, 0, 100, 1, 0).windows()).isLessThanOrEqualTo(1);
    }

    @Test
    void theSpecNamesWhatIsWrong() {
        assertThatThrownBy(() -> ShareSpec.of(1.0, 6, 5, 60, 32)).hasMessageContaining("margin");
        assertThatThrownBy(() -> ShareSpec.of(0.3, 0, 5, 60, 32))
                .hasMessageContaining("z threshold");
        assertThatThrownBy(() -> ShareSpec.of(0.3, 6, 0, 60, 32))
                .hasMessageContaining("silence z threshold");
        assertThatThrownBy(() -> ShareSpec.of(0.3, 6, 5, -1, 32))
                .hasMessageContaining("min expected views");
        assertThatThrownBy(() -> ShareSpec.of(0.3, 6, 5, 60, 65))
                .hasMessageContaining("max windows");
    }
}
