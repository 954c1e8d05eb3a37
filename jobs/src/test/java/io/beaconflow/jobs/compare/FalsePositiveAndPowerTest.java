package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import java.util.List;
import java.util.SplittableRandom;
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

    /** One arm: n page views, each with a load time and one fetch; errors with p. */
    static ArmStats arm(SplittableRandom rnd, int n, double errorP, double failP, double slow) {
        ArmStats s = new ArmStats();
        DDSketch load = new DDSketch(MetricAccumulator.mapping(0.01), () -> newStore());
        DDSketch fetch = new DDSketch(MetricAccumulator.mapping(0.01), () -> newStore());
        for (int i = 0; i < n; i++) {
            s.pageViews++;
            if (rnd.nextDouble() < errorP) s.jsErrors++;
            s.fetches++;
            if (rnd.nextDouble() < failP) s.fetchFailures++;
            // log-normal around 1.2 s (load) and 150 ms (fetch), the shape of real latencies
            load.accept(slow * 1200 * Math.exp(0.6 * gaussian(rnd)));
            fetch.accept(slow * 150 * Math.exp(0.8 * gaussian(rnd)));
        }
        s.latency[ComparedMetric.LOAD.latencyIndex] = Binned.ofSketch(load, n);
        s.latency[ComparedMetric.FETCH.latencyIndex] = Binned.ofSketch(fetch, n);
        return s;
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
            List<Comparison> out = cmp.compare(a, b);
            boolean any = false;
            for (int i = 0; i < out.size(); i++) {
                Comparison c = out.get(i);
                if (c.pValue != null && c.pValue < ALPHA) raw[i]++;
                any |= c.verdict.equals(Verdict.WORSE) || c.verdict.equals(Verdict.BETTER);
            }
            if (any) anyVerdict++;
        }
        for (ComparedMetric m :
                new ComparedMetric[] {
                    ComparedMetric.ERROR_RATE,
                    ComparedMetric.FETCH_FAILURE_RATE,
                    ComparedMetric.LOAD,
                    ComparedMetric.FETCH
                }) {
            // binomial(1000, 0.05): sd 6.9, so 25..75 is beyond ±3.5 sd
            assertThat(raw[m.ordinal()]).as(m.field + " raw false positives").isBetween(25, 75);
        }
        // Holm over 4 tested metrics keeps the family-wise rate at or below α.
        assertThat(anyVerdict).as("arms with any verdict").isBetween(15, 60);
        // Untested metrics (no LCP, no INP in these arms) are insufficient_data, never a verdict.
        assertThat(raw[ComparedMetric.LCP.ordinal()]).isZero();
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
        int covered = 0;
        int runs = 200;
        for (int seed = 0; seed < runs; seed++) {
            SplittableRandom rnd = new SplittableRandom(50_000 + seed);
            ArmStats control = arm(rnd, 2000, 0.02, 0.02, 1);
            ArmStats slower = arm(rnd, 2000, 0.02, 0.02, 1.10);
            Comparison load = cmp.compare(slower, control).get(ComparedMetric.LOAD.ordinal());
            // The HL shift of a scale change is not exactly the median shift; allow the 1 % bins.
            if (load.diffLow <= 120 * 1.02 && load.diffHigh >= 120 * 0.98) covered++;
        }
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
}
