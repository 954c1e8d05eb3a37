package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.metrics.LatencyMetric;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The property that makes the comparison usable: with no true difference (A/A) a verdict other than
 * no_difference is rare (about α per metric, at most α per arm after Holm), and a real effect is
 * found. Arms are drawn from fixed seeds, latencies go through the same DDSketch as the metric
 * stage (1 % accuracy), so the binning's ties are part of what is tested.
 */
class FalsePositiveAndPowerTest {
    static final double ALPHA = 0.05;
    static final int RUNS = 1000;

    /** The metrics the arms of these tests carry (no LCP, no INP): the ones a verdict can be on. */
    static final ComparedMetric[] TESTED = {
        ComparedMetric.ERROR_RATE,
        ComparedMetric.FETCH_FAILURE_RATE,
        ComparedMetric.LOAD,
        ComparedMetric.FETCH
    };

    /** How many of {@code runs} trials, each drawn from seed {@code seedBase + run}, hold. */
    static int holding(int runs, long seedBase, Predicate<SplittableRandom> trial) {
        int held = 0;
        for (int run = 0; run < runs; run++) {
            if (trial.test(new SplittableRandom(seedBase + run))) held++;
        }
        return held;
    }

    /**
     * The load row of an arm 10 % slower than its control, both drawn by {@code draw} (given the
     * slow-down factor) from {@code rnd}, the control first.
     */
    static Comparison tenPercentSlowerLoad(
            ArmComparison cmp,
            SplittableRandom rnd,
            BiFunction<SplittableRandom, Double, ArmStats> draw) {
        ArmStats control = draw.apply(rnd, 1.0);
        ArmStats slower = draw.apply(rnd, 1.10);
        return cmp.compare(slower, control).get(ComparedMetric.LOAD.ordinal());
    }

    /**
     * Counts the rows with a raw p below alpha into {@code belowAlpha} (by metric) and says whether
     * any row got a verdict (worse or better).
     */
    static boolean tally(List<Comparison> rows, int[] belowAlpha) {
        boolean any = false;
        for (int i = 0; i < rows.size(); i++) {
            Comparison c = rows.get(i);
            if (c.pValue != null && c.pValue < ALPHA) belowAlpha[i]++;
            any |= isVerdict(c);
        }
        return any;
    }

    /**
     * One arm of n independent page views, each with a load time and one fetch, errors with p: n
     * sessions of one view each, so the per-session test sees exactly the views.
     */
    static ArmStats arm(SplittableRandom rnd, int n, double errorP, double failP, double slow) {
        ArmSessions arm = new ArmSessions(0.01);
        addViews(rnd, arm, n, errorP, failP, slow);
        return arm.stats();
    }

    /** Adds n one-view sessions to {@code arm} (see {@link #arm}). */
    static void addViews(
            SplittableRandom rnd,
            ArmSessions arm,
            int n,
            double errorP,
            double failP,
            double slow) {
        for (int i = 0; i < n; i++) {
            SessionSummary s = new SessionSummary("shop", "variant", "x=a", "s" + i);
            s.views = 1;
            if (rnd.nextDouble() < errorP) s.errors++;
            s.fetches = 1;
            if (rnd.nextDouble() < failP) s.failures++;
            // log-normal around 1.2 s (load) and 150 ms (fetch), the shape of real latencies
            s.addLatency(LatencyMetric.LOAD, slow * 1200 * Math.exp(0.6 * gaussian(rnd)));
            s.addLatency(LatencyMetric.FETCH, slow * 150 * Math.exp(0.8 * gaussian(rnd)));
            arm.add(s);
        }
    }

    /** The generator's network factors and shares (SessionFactory, flink-conf/generator.yaml). */
    static final double[] NET = {1.0, 1.15, 1.0, 2, 4, 6};

    static final double[] NET_P = {0.55, 0.30, 0.06, 0.06, 0.02, 0.01};
    static final double[] DEVICE = {1.0, 1.2, 1.35};
    static final double[] DEVICE_P = {0.42, 0.05, 0.53};

    /**
     * Session-clustered traffic, as the generator makes it and real traffic is: each session has
     * one network and one device factor for all its 1 + Poisson(3) views (the setting of
     * notebooks/aa_session_clustering.py), a slow network fails more fetches, and one session in
     * ten is on a buggy client whose views raise errors 15 times as often. Returns the arm as the
     * comparison sees it ({@code bySession}) or, for contrast, every view as its own session, which
     * is what testing views as independent amounts to.
     */
    static ArmStats clusteredArm(
            SplittableRandom rnd, int sessions, double slow, boolean bySession) {
        ArmSessions arm = new ArmSessions(0.01);
        addClustered(rnd, arm, sessions, slow, bySession);
        return arm.stats();
    }

    /** Adds {@code sessions} clustered sessions to {@code arm} (see {@link #clusteredArm}). */
    static void addClustered(
            SplittableRandom rnd, ArmSessions arm, int sessions, double slow, boolean bySession) {
        int id = 0;
        for (int i = 0; i < sessions; i++) {
            double net = pick(rnd, NET, NET_P);
            double factor = slow * net * pick(rnd, DEVICE, DEVICE_P);
            double errorP = rnd.nextDouble() < 0.1 ? 0.15 : 0.01;
            double failP = 0.01 * net * net;
            int views = 1 + poisson(rnd, 3);
            SessionSummary session = new SessionSummary("shop", "variant", "x=a", "s" + i);
            for (int v = 0; v < views; v++) {
                SessionSummary view =
                        bySession
                                ? session
                                : new SessionSummary("shop", "variant", "x=a", "v" + id++);
                view.views++;
                if (rnd.nextDouble() < errorP) view.errors++;
                view.fetches++;
                if (rnd.nextDouble() < failP) view.failures++;
                view.addLatency(LatencyMetric.LOAD, factor * 1500 * Math.exp(0.5 * gaussian(rnd)));
                view.addLatency(LatencyMetric.FETCH, factor * 150 * Math.exp(0.8 * gaussian(rnd)));
                if (!bySession) arm.add(view);
            }
            if (bySession) arm.add(session);
        }
    }

    static double pick(SplittableRandom rnd, double[] values, double[] p) {
        double u = rnd.nextDouble();
        for (int i = 0; i < values.length - 1; i++) {
            u -= p[i];
            if (u < 0) return values[i];
        }
        return values[values.length - 1];
    }

    static int poisson(SplittableRandom rnd, double mean) {
        // Knuth's product of uniforms: exact, and fast for a mean of 3.
        double limit = Math.exp(-mean);
        double prod = rnd.nextDouble();
        int k = 0;
        while (prod > limit) {
            prod *= rnd.nextDouble();
            k++;
        }
        return k;
    }

    static com.datadoghq.sketch.ddsketch.store.Store newStore() {
        return new com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore(2048);
    }

    static double gaussian(SplittableRandom rnd) {
        // Box–Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator.
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble()))
                * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @Test
    void aaTrafficShowsSignificantAtAboutAlphaPerMetricAndAtMostAlphaPerArm() {
        ArmComparison cmp = new ArmComparison(ALPHA, 100);
        int[] raw = new int[ComparedMetric.values().length];
        int anyVerdict = 0;
        for (int seed = 0; seed < RUNS; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            ArmStats a = arm(rnd, 1500, 0.03, 0.02, 1);
            ArmStats b = arm(rnd, 1500, 0.03, 0.02, 1);
            if (tally(cmp.compare(a, b), raw)) anyVerdict++;
        }
        for (ComparedMetric m : TESTED) {
            // binomial(1000, 0.05): sd 6.9, so 25..75 is beyond ±3.5 sd
            assertThat(raw[m.ordinal()]).as(m.field + " raw false positives").isBetween(25, 75);
        }
        // Holm over 4 tested metrics keeps the family-wise rate at or below α.
        assertThat(anyVerdict).as("arms with any verdict").isBetween(15, 60);
        // Untested metrics (no LCP, no INP in these arms) are insufficient_data, never a verdict.
        assertThat(raw[ComparedMetric.LCP.ordinal()]).isZero();
    }

    /** False verdicts per metric and per arm over {@code runs} A/A pairs of clustered traffic. */
    static int[] clusteredAaFalseVerdicts(int runs, boolean bySession) {
        return clusteredAaFalseVerdicts(runs, 2000, bySession);
    }

    /** A/A runs of two clustered arms of {@code sessions} each, tested from that many sessions. */
    static int[] clusteredAaFalseVerdicts(int runs, int sessions, boolean bySession) {
        return clusteredAaFalseVerdicts(
                new ArmComparison(ALPHA, Math.min(200, sessions)), runs, sessions, bySession);
    }

    /**
     * A/A runs judged by {@code cmp}: raw p below alpha per metric, then the arms with any verdict.
     */
    static int[] clusteredAaFalseVerdicts(
            ArmComparison cmp, int runs, int sessions, boolean bySession) {
        int[] out = new int[ComparedMetric.values().length + 1];
        for (int seed = 0; seed < runs; seed++) {
            SplittableRandom rnd = new SplittableRandom(70_000 + seed);
            List<Comparison> rows =
                    cmp.compare(
                            clusteredArm(rnd, sessions, 1, bySession),
                            clusteredArm(rnd, sessions, 1, bySession));
            if (tally(rows, out)) out[out.length - 1]++;
        }
        return out;
    }

    @Test
    void aaTrafficClusteredBySessionShowsSignificantAtAboutAlphaBecauseSessionsAreTheUnit() {
        int runs = 400;
        int[] bySession = clusteredAaFalseVerdicts(runs, true);
        int[] byView = clusteredAaFalseVerdicts(runs, false);
        System.out.println(
                "clustered A/A, false verdicts of "
                        + runs
                        + " per metric (error, failure, load, lcp, inp, fetch) and any per arm: by"
                        + " session "
                        + java.util.Arrays.toString(bySession)
                        + ", views as units "
                        + java.util.Arrays.toString(byView));
        for (ComparedMetric m : TESTED) {
            // binomial(400, 0.05): 20 expected, sd 4.4; 8..34 is beyond ±2.7 sd.
            assertThat(bySession[m.ordinal()])
                    .as(m.field + " false positives, sessions as the unit")
                    .isBetween(8, 34);
        }
        // The traffic is clustered enough to matter: testing its views as independent, what the
        // comparison did before it judged sessions, calls the load times of A/A arms different
        // in 75 of 400 runs and gives 62 of 400 arms a verdict (2026-12-03), where alpha allows
        // 20. Over twice alpha, so this test would fail on view-level tests.
        assertThat(byView[ComparedMetric.LOAD.ordinal()])
                .as("load false positives, views as the unit")
                .isGreaterThan((int) (2 * ALPHA * runs));
        assertThat(byView[byView.length - 1])
                .as("arms with any verdict, views as the unit")
                .isGreaterThan((int) (2 * ALPHA * runs));
        // Holm over the four tested metrics: at most alpha per arm (with sampling noise); 21 of
        // 400 on 2026-12-03.
        assertThat(bySession[bySession.length - 1]).as("arms with any verdict").isBetween(4, 30);
    }

    @Test
    void aaArmsAtTheShippedMinimumOfSessionsStayNearAlpha() {
        // flink-conf/beaconflow.yaml tests from 50 sessions per arm: the rank test, the
        // Rao-Scott counts and Holm must hold alpha there too, not only on large arms. Measured
        // 2026-12-03 on 1000 runs (expected 50, sd 6.9), per metric and per arm: 20 sessions
        // [19, 12, 43, 0, 0, 47 | 29], 30 [37, 28, 40, 0, 0, 50 | 32], 50 [50, 51, 51, 0, 0, 42
        // | 38], 100 [56, 63, 56, 0, 0, 51 | 64]. (lcp and inp are not in the clustered arms.)
        int runs = 1000;
        int[] fp = clusteredAaFalseVerdicts(runs, 50, true);
        System.out.println(
                "clustered A/A at 50 sessions per arm, false verdicts of "
                        + runs
                        + ": "
                        + java.util.Arrays.toString(fp));
        for (ComparedMetric m : TESTED) {
            assertThat(fp[m.ordinal()]).as(m.field + " at 50 sessions per arm").isBetween(20, 72);
        }
        assertThat(fp[fp.length - 1]).as("arms with any verdict at 50 sessions").isBetween(15, 72);
    }

    @Test
    void aRealEffectOnClusteredTrafficIsStillFound() {
        // 10 % slower on every view, 2,000 sessions per arm: the session-level test must still see
        // it most of the time (its power is lower than the view-level figure, which was bought
        // with false verdicts).
        ArmComparison cmp = new ArmComparison(ALPHA, 200);
        int runs = 100;
        Predicate<SplittableRandom> loadFoundWorse =
                rnd -> {
                    Comparison load =
                            tenPercentSlowerLoad(
                                    cmp, rnd, (r, slow) -> clusteredArm(r, 2000, slow, true));
                    return load.verdict.equals(Verdict.WORSE);
                };
        int loadWorse = holding(runs, 90_000, loadFoundWorse);
        System.out.println(
                "clustered power, load 10 % slower, 2000 sessions/arm: " + loadWorse + "/" + runs);
        assertThat(loadWorse).as("load 10 % slower found").isGreaterThan(runs * 9 / 10);
    }

    @Test
    void aRealEffectIsDetectedWithTheRightDirection() {
        ArmComparison cmp = new ArmComparison(ALPHA, 100);
        int loadWorse = 0;
        int errorsWorse = 0;
        int fetchBetter = 0;
        int runs = 200;
        for (int seed = 0; seed < runs; seed++) {
            SplittableRandom rnd = new SplittableRandom(10_000 + seed);
            ArmStats control = arm(rnd, 3000, 0.02, 0.02, 1);
            // 10 % slower, errors 2 % → 3.5 %
            ArmStats slower = arm(rnd, 3000, 0.035, 0.02, 1.10);
            List<Comparison> out = cmp.compare(slower, control);
            if (out.get(ComparedMetric.LOAD.ordinal()).verdict.equals(Verdict.WORSE)) loadWorse++;
            if (out.get(ComparedMetric.ERROR_RATE.ordinal()).verdict.equals(Verdict.WORSE)) {
                errorsWorse++;
            }
            // and the other way round: the control is faster than the slow arm
            List<Comparison> back = cmp.compare(control, slower);
            if (back.get(ComparedMetric.FETCH.ordinal()).verdict.equals(Verdict.BETTER)) {
                fetchBetter++;
            }
        }
        assertThat(loadWorse).as("load 10 % slower found").isGreaterThan(runs * 9 / 10);
        assertThat(fetchBetter).as("fetch 10 % faster found").isGreaterThan(runs * 8 / 10);
        assertThat(errorsWorse).as("error rate 2 % → 3.5 % found").isGreaterThan(runs * 8 / 10);
    }

    @Test
    void theShiftIntervalCoversTheTrueShift() {
        // Load 1200 ms median × 1.1 → true median shift 120 ms; 95 % intervals cover it ~95 %.
        ArmComparison cmp = new ArmComparison(ALPHA, 100);
        int runs = 200;
        // The HL shift of a scale change is not exactly the median shift; allow the 1 % bins.
        int covered =
                holding(
                        runs,
                        50_000,
                        rnd -> {
                            Comparison c =
                                    tenPercentSlowerLoad(
                                            cmp, rnd, (r, slow) -> arm(r, 2000, 0.02, 0.02, slow));
                            return c.diffLow <= 120 * 1.02 && c.diffHigh >= 120 * 0.98;
                        });
        assertThat(covered).isGreaterThan(runs * 85 / 100);
    }

    @Test
    void armsBelowTheMinimumGetNoVerdict() {
        ArmComparison cmp = new ArmComparison(ALPHA, 500);
        SplittableRandom rnd = new SplittableRandom(7);
        List<Comparison> out = cmp.compare(arm(rnd, 400, 0.5, 0.5, 3), arm(rnd, 400, 0, 0, 1));
        assertThat(out).allSatisfy(c -> assertThat(c.verdict).isEqualTo(Verdict.INSUFFICIENT_DATA));
        assertThat(out).allSatisfy(c -> assertThat(c.pValue).isNull());
    }

    /** Looks per run and sessions added to each arm between looks, in the repeated-looks tests. */
    static final int LOOKS = 24;

    static final int SESSIONS_PER_LOOK = 100;

    /**
     * A/A arms of clustered sessions that grow by {@link #SESSIONS_PER_LOOK} per arm between {@link
     * #LOOKS} looks, as an experiment does between emissions (comparisons.emit-every), each look
     * testing the cumulative data. Returns, per run, the first look (1-based) at which the arm got
     * a worse or better verdict on any metric, 0 when it never did.
     */
    static int[] firstFalseVerdictLook(ArmComparison cmp, int runs) {
        return firstLook(cmp, runs, 120_000, 1, rows -> rows.stream().anyMatch(c -> isVerdict(c)));
    }

    /** Whether {@code c} says worse or better (not no difference, not insufficient data). */
    static boolean isVerdict(Comparison c) {
        return c.verdict.equals(Verdict.WORSE) || c.verdict.equals(Verdict.BETTER);
    }

    /**
     * Per run, the first look (1-based) at which {@code found} holds of the comparison of two arms
     * of clustered sessions, 0 if never within {@link #LOOKS}: both grow by {@link
     * #SESSIONS_PER_LOOK} sessions a look, the first {@code slow} times slower; run r draws from
     * seed {@code seedBase + r}.
     */
    static int[] firstLook(
            ArmComparison cmp,
            int runs,
            long seedBase,
            double slow,
            Predicate<List<Comparison>> found) {
        int[] first = new int[runs];
        for (int run = 0; run < runs; run++) {
            SplittableRandom rnd = new SplittableRandom(seedBase + run);
            ArmSessions arm = new ArmSessions(0.01);
            ArmSessions control = new ArmSessions(0.01);
            for (int look = 1; look <= LOOKS && first[run] == 0; look++) {
                addClustered(rnd, arm, SESSIONS_PER_LOOK, slow, true);
                addClustered(rnd, control, SESSIONS_PER_LOOK, 1, true);
                if (found.test(cmp.compare(arm.stats(), control.stats()))) first[run] = look;
            }
        }
        return first;
    }

    static int count(int[] firstLooks) {
        int n = 0;
        for (int f : firstLooks) if (f > 0) n++;
        return n;
    }

    /** The shipped comparison: always-valid, the default mixing effects, 50 sessions per arm. */
    static ArmComparison sequential() {
        return ArmComparison.of(new ComparisonsConfig());
    }

    @Test
    void aaArmsLookedAtRepeatedlyGetAVerdictAtSomeLookAtMostAlphaOfTheTime() {
        // The dashboard shows the latest emission's verdict, and an experiment is looked at every
        // emit-every: the chance that an A/A arm shows a verdict at some look must stay at alpha,
        // not only the chance at one planned look.
        int runs = 400;
        int any = count(firstFalseVerdictLook(sequential(), runs));
        int anyFixed = count(firstFalseVerdictLook(new ArmComparison(ALPHA, 50), runs));
        System.out.println(
                "repeated looks, A/A, "
                        + LOOKS
                        + " looks of +"
                        + SESSIONS_PER_LOOK
                        + " sessions per arm: arms with a verdict at any look, always-valid "
                        + any
                        + "/"
                        + runs
                        + ", fixed-horizon "
                        + anyFixed
                        + "/"
                        + runs);
        // binomial(400, 0.05): 20 expected, sd 4.4; 34 is alpha + 3.2 sd.
        assertThat(any).as("A/A arms with a verdict at some look").isLessThanOrEqualTo(34);
        // The fixed-horizon test, looked at as often, is the peeking problem this guards against:
        // 132 of 400 on 2026-12-03, over twice alpha.
        assertThat(anyFixed)
                .as("fixed-horizon A/A arms with a verdict at some look")
                .isGreaterThan((int) (2 * ALPHA * runs));
    }

    @Test
    void aaArmsAtOneLookStayAtMostAlphaWithTheAlwaysValidTest() {
        // One look is one stopping time among others: the always-valid test is conservative there
        // (the price of validity at every look), at the shipped minimum and on large arms.
        ArmComparison cmp = sequential();
        int runs = 400;
        for (int sessions : new int[] {50, 2000}) {
            int[] counts = clusteredAaFalseVerdicts(cmp, runs, sessions, true);
            int[] raw = java.util.Arrays.copyOf(counts, counts.length - 1);
            int any = counts[counts.length - 1];
            System.out.println(
                    "always-valid, one look at "
                            + sessions
                            + " sessions per arm: raw p < alpha per metric "
                            + java.util.Arrays.toString(raw)
                            + ", arms with a verdict "
                            + any
                            + "/"
                            + runs);
            // binomial(400, 0.05): alpha + 3.2 sd
            for (int r : raw) assertThat(r).as("raw false positives").isLessThanOrEqualTo(34);
            assertThat(any).as("arms with a verdict at " + sessions).isLessThanOrEqualTo(34);
        }
    }

    /**
     * First look (1-based) at which load is found worse, 0 if never within {@link #LOOKS}: arms of
     * clustered sessions growing by {@link #SESSIONS_PER_LOOK}, the arm 10 % slower.
     */
    static int[] firstLoadWorseLook(ArmComparison cmp, int runs) {
        return firstLook(
                cmp,
                runs,
                130_000,
                1.10,
                rows -> rows.get(ComparedMetric.LOAD.ordinal()).verdict.equals(Verdict.WORSE));
    }

    @Test
    void aRealLoadEffectIsFoundWithinTheLooksAndTheCostInLooksIsMeasured() {
        int runs = 100;
        int[] seq = firstLoadWorseLook(sequential(), runs);
        int[] fixed = firstLoadWorseLook(new ArmComparison(ALPHA, 50), runs);
        int[] sortedSeq = seq.clone();
        int[] sortedFixed = fixed.clone();
        java.util.Arrays.sort(sortedSeq);
        java.util.Arrays.sort(sortedFixed);
        System.out.println(
                "power, load 10 % slower, +"
                        + SESSIONS_PER_LOOK
                        + " sessions per arm and look: found within "
                        + LOOKS
                        + " looks always-valid "
                        + count(seq)
                        + "/"
                        + runs
                        + " (median first look "
                        + sortedSeq[runs / 2]
                        + ", 90th percentile "
                        + sortedSeq[runs * 9 / 10]
                        + "), fixed-horizon "
                        + count(fixed)
                        + "/"
                        + runs
                        + " (median "
                        + sortedFixed[runs / 2]
                        + ", 90th percentile "
                        + sortedFixed[runs * 9 / 10]
                        + ")");
        assertThat(count(seq)).as("load 10 % slower found within the looks").isGreaterThan(95);
        // Never found where it was looked for: a 0 sorts first, so the median is a real look.
        assertThat(sortedSeq[runs / 2]).as("median look").isBetween(1, LOOKS);
    }

    @Test
    void theConfidenceSequenceCoversTheTrueEffectAtEveryLook() {
        // Load x 1.1 on 1200 ms (true median shift 120 ms, the 1 % bins allowed as in
        // theShiftIntervalCoversTheTrueShift) and an error rate of 2 % against 3.5 % on one-view
        // sessions (true difference +1.5 pp); arms grow by 100 sessions over 24 looks. A run
        // counts as covered only if every look's interval holds the truth.
        ArmComparison cmp = sequential();
        int runs = 200;
        int loadCovered = 0;
        int errorCovered = 0;
        for (int run = 0; run < runs; run++) {
            SplittableRandom rnd = new SplittableRandom(140_000 + run);
            ArmSessions slower = new ArmSessions(0.01);
            ArmSessions control = new ArmSessions(0.01);
            boolean load = true;
            boolean errors = true;
            for (int look = 1; look <= LOOKS; look++) {
                addViews(rnd, slower, SESSIONS_PER_LOOK, 0.035, 0.02, 1.10);
                addViews(rnd, control, SESSIONS_PER_LOOK, 0.02, 0.02, 1);
                List<Comparison> rows = cmp.compare(slower.stats(), control.stats());
                Comparison l = rows.get(ComparedMetric.LOAD.ordinal());
                Comparison e = rows.get(ComparedMetric.ERROR_RATE.ordinal());
                if (l.diffLow != null) {
                    load &= l.diffLow <= 120 * 1.02 && l.diffHigh >= 120 * 0.98;
                }
                if (e.diffLow != null) {
                    errors &= e.diffLow <= 0.015 && e.diffHigh >= 0.015;
                }
            }
            if (load) loadCovered++;
            if (errors) errorCovered++;
        }
        System.out.println(
                "confidence sequence covers at all "
                        + LOOKS
                        + " looks: load shift "
                        + loadCovered
                        + "/"
                        + runs
                        + ", error rate difference "
                        + errorCovered
                        + "/"
                        + runs);
        assertThat(loadCovered).as("load shift covered at every look").isGreaterThanOrEqualTo(190);
        assertThat(errorCovered)
                .as("error rate difference covered at every look")
                .isGreaterThanOrEqualTo(190);
    }
}
