package io.beaconflow.jobs.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The statistics core against published and reference values. Newcombe's intervals are those of his
 * 1998 paper (Statistics in Medicine 17:873–890, Table II, method 10); Fisher's tea tasting p-value
 * is R. A. Fisher's own example (The Design of Experiments, 1935); the rest were computed with
 * SciPy 1.17 ({@code scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)}, {@code
 * scipy.stats.fisher_exact}, {@code scipy.stats.norm}), which agree with R's {@code wilcox.test},
 * {@code fisher.test} and {@code prop.test(correct=FALSE)}.
 */
class ComparisonStatisticsTest {

    @Test
    void newcombeHybridScoreIntervalMatchesThePublishedExamples() {
        TwoProportions.Result a = TwoProportions.compare(56, 70, 48, 80, 0.95);
        assertThat(a.diff).isCloseTo(0.2, within(1e-12));
        assertThat(a.diffLow).isCloseTo(0.0524, within(5e-5));
        assertThat(a.diffHigh).isCloseTo(0.3339, within(5e-5));
        TwoProportions.Result b = TwoProportions.compare(9, 10, 3, 10, 0.95);
        assertThat(b.diffLow).isCloseTo(0.1705, within(5e-5));
        assertThat(b.diffHigh).isCloseTo(0.8090, within(5e-5));
        // A zero count: Wald would give a zero-width side; Newcombe does not.
        TwoProportions.Result c = TwoProportions.compare(5, 56, 0, 29, 0.95);
        assertThat(c.diffLow).isCloseTo(-0.0381, within(5e-5));
        assertThat(c.diffHigh).isCloseTo(0.1926, within(5e-5));
        assertThat(c.relative).as("control rate 0: no ratio").isNull();
    }

    @Test
    void pooledZTestAndKatzRatioIntervalMatchTheReference() {
        TwoProportions.Result r = TwoProportions.compare(56, 70, 48, 80, 0.95);
        assertThat(r.method).isEqualTo("z");
        assertThat(r.pValue).isCloseTo(0.00804508136819656, within(1e-9));
        assertThat(r.relative).isCloseTo((56 / 70.0) / (48 / 80.0) - 1, within(1e-12));
        assertThat(r.relativeLow).isCloseTo(0.07662642276319298, within(1e-9));
        assertThat(r.relativeHigh).isCloseTo(0.651248511266387, within(1e-9));
    }

    @Test
    void smallCountsUseFishersExactTest() {
        // The lady tasting tea: 3 of 4 right, two-sided p = 34/70.
        assertThat(TwoProportions.fisher(3, 1, 1, 3)).isCloseTo(0.48571428571428565, within(1e-12));
        TwoProportions.Result r = TwoProportions.compare(1, 40, 6, 40, 0.95);
        assertThat(r.method).isEqualTo("fisher");
        assertThat(r.pValue).isCloseTo(0.10840046029919445, within(1e-9));
    }

    @Test
    void mannWhitneyWithTiesAndHodgesLehmannMatchTheReference() {
        Binned control = Binned.ofValues(12, 15, 15, 17, 20, 20, 20, 22, 25, 30, 31, 35);
        Binned treatment = Binned.ofValues(14, 18, 20, 22, 22, 26, 29, 33, 35, 35, 40, 41, 45);
        RankTest.Result r = RankTest.compare(control, treatment, 0.95);
        assertThat(r.u).isEqualTo(113.5);
        assertThat(r.pValue).isCloseTo(0.056037565791693965, within(1e-9));
        // Brute force over the 156 pairwise differences: lower median 7, Moses' order
        // statistics C = 42.098 → the 43rd smallest (0) and the 115th (15).
        assertThat(r.shift).isEqualTo(7.0);
        assertThat(r.shiftLow).isEqualTo(0.0);
        assertThat(r.shiftHigh).isEqualTo(15.0);
    }

    @Test
    void identicalArmsHaveAShiftOfExactlyZero() {
        Binned a = Binned.ofValues(100, 120, 120, 150, 180, 250, 400);
        RankTest.Result r = RankTest.compare(a, a, 0.95);
        assertThat(r.shift).isEqualTo(0.0);
        assertThat(r.pValue).isEqualTo(1.0);
        assertThat(r.shiftLow).isLessThan(0);
        assertThat(r.shiftHigh).isGreaterThan(0);
    }

    @Test
    void holmMatchesRsPAdjust() {
        // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
        double[] adj = Holm.adjust(new double[] {0.01, 0.04, 0.03, 0.005});
        assertThat(adj).containsExactly(new double[] {0.03, 0.06, 0.06, 0.02}, within(1e-12));
        double[] withGap = Holm.adjust(new double[] {0.01, Double.NaN, 0.04});
        assertThat(withGap[0]).isCloseTo(0.02, within(1e-12));
        assertThat(withGap[1]).isNaN();
        assertThat(withGap[2]).isCloseTo(0.04, within(1e-12));
    }

    @Test
    void theDesignEffectIsOneForIndependentViewsAndTheClusterSizeWhenSessionsErrTogether() {
        // 100 sessions of 10 views; 10 sessions err on every view, the rest never: p = 0.1, and
        // the views of a session are perfectly correlated, so the design effect is 1 + (10 - 1)
        // * 1 = 10 (times k / (k - 1) = 100 / 99 for the estimated variance).
        ArmStats clustered = new ArmStats();
        clustered.pageViews = 1000;
        clustered.viewSessions = 100;
        clustered.viewsSq = 100 * 100;
        clustered.jsErrors = 100;
        clustered.jsErrorsSq = 10 * 100;
        clustered.viewsJsErrors = 10 * 100;
        assertThat(ArmComparison.designEffect(ComparedMetric.ERROR_RATE, clustered))
                .isCloseTo(10 * 100 / 99.0, org.assertj.core.data.Offset.offset(1e-9));
        // 1000 sessions of one view, 100 with an error: no clustering, so 1 but for the
        // estimated variance's small-sample factor k / (k - 1).
        ArmStats single = new ArmStats();
        single.pageViews = 1000;
        single.viewSessions = 1000;
        single.viewsSq = 1000;
        single.jsErrors = 100;
        single.jsErrorsSq = single.viewsJsErrors = 100;
        assertThat(ArmComparison.designEffect(ComparedMetric.ERROR_RATE, single))
                .isCloseTo(1000 / 999.0, org.assertj.core.data.Offset.offset(1e-9));
        // No errors at all: nothing to inflate.
        single.jsErrors = 0;
        single.jsErrorsSq = single.viewsJsErrors = 0;
        assertThat(ArmComparison.designEffect(ComparedMetric.ERROR_RATE, single)).isEqualTo(1);
    }

    @Test
    void theAlwaysValidPValueIsOneOverTheMixtureLikelihoodRatioAndItsBoundaryMatches() {
        // 1/Λ against a direct numerical integration of the normal likelihood ratio over the
        // mixing N(0, τ²) (trapezoid over θ in [-2, 2], 200,000 steps, Python): z = 2.5, V = 0.01,
        // τ² = 0.04, so r = 4: 0.18354763685602.
        assertThat(AlwaysValid.pValue(2.5, 4)).isCloseTo(0.18354763685602, within(1e-12));
        // r = 1, z = 3: √2 · e^(-9/4)
        assertThat(AlwaysValid.pValue(3, 1)).isCloseTo(0.149057012838996, within(1e-12));
        assertThat(AlwaysValid.pValue(0, 3)).isEqualTo(1);
        // Howard et al.'s two-sided normal-mixture boundary, r = 40, alpha 0.05: 3.15399
        assertThat(AlwaysValid.boundary(40, 0.05)).isCloseTo(3.153991523317334, within(1e-12));
        // The confidence sequence is the set the test does not reject: p = alpha on its edge.
        for (double r : new double[] {0.05, 1, 40, 1e4}) {
            assertThat(AlwaysValid.pValue(AlwaysValid.boundary(r, 0.05), r))
                    .as("r = " + r)
                    .isCloseTo(0.05, within(1e-12));
            // wider than the fixed-horizon 1.96 at every sample size
            assertThat(AlwaysValid.boundary(r, 0.05)).isGreaterThan(1.96);
        }
        // Huge z (the demo's release regression) gives a tiny p, not an overflow to NaN.
        assertThat(AlwaysValid.pValue(30, 100)).isGreaterThan(0).isLessThan(1e-150);
    }
}
