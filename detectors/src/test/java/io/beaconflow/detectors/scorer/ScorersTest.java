package io.beaconflow.detectors.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.baseline.Estimate;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.junit.jupiter.api.Test;

class ScorersTest {
    static final DetectorSpec ERRORS =
            DetectorSpec.builder().kind(MetricKind.ERROR_RATE).zThreshold(4).build();
    static final DetectorSpec COUNTS =
            DetectorSpec.builder().kind(MetricKind.THROUGHPUT).zThreshold(4).build();

    /** A state whose baseline saw a steady 2 % error rate on 10,000 views per window. */
    private static DetectorState steadyTwoPercent() {
        DetectorState s = new DetectorState();
        s.ewVolume = 10_000;
        s.ewSamplingVar = 0.02 * 0.98 / 10_000;
        return s;
    }

    private static Estimate twoPercent() {
        return new Estimate(BaselineKind.EWMA, 0.02, Math.sqrt(0.02 * 0.98 / 10_000));
    }

    @Test
    void aRouteWithThreeViewsAndOneErrorDoesNotAlarm() {
        Deviation d = ProportionScorer.score(twoPercent(), 1.0 / 3, 3, steadyTwoPercent(), ERRORS);
        assertThat(d.significant()).isFalse();
        // Its standard error comes from its own denominator of 3 views.
        assertThat(d.spread()).isCloseTo(Math.sqrt(0.02 * 0.98 / 3), within(1e-12));
    }

    @Test
    void twoPercentToNinePercentOnTenThousandViewsAlarms() {
        Deviation d =
                ProportionScorer.score(twoPercent(), 0.09, 10_000, steadyTwoPercent(), ERRORS);
        assertThat(d.significant()).isTrue();
        assertThat(d.z()).isCloseTo(0.07 / Math.sqrt(0.02 * 0.98 / 10_000), within(1e-9));
    }

    @Test
    void theExactBinomialGateAgreesWithCommonsMathTails() {
        double limit = 1 - new NormalDistribution().cumulativeProbability(4);
        BinomialDistribution b = new BinomialDistribution(200, 0.02);
        for (int k = 0; k <= 30; k++) {
            boolean expected = 1 - b.cumulativeProbability(k - 1) <= limit;
            assertThat(ProportionScorer.exactTailAgrees(0.02, k / 200.0, 200, true, 4))
                    .as("k=" + k)
                    .isEqualTo(expected);
        }
    }

    @Test
    void betweenWindowVariationBeyondSamplingWidensTheBand() {
        DetectorState s = steadyTwoPercent();
        Estimate wandering = new Estimate(BaselineKind.EWMA, 0.02, 0.01);
        Deviation d = ProportionScorer.score(wandering, 0.05, 10_000, s, ERRORS);
        double tau2 = 0.01 * 0.01 - s.ewSamplingVar;
        assertThat(d.spread()).isCloseTo(Math.sqrt(0.02 * 0.98 / 10_000 + tau2), within(1e-12));
        assertThat(d.significant()).isFalse();
    }

    @Test
    void thinTrafficGetsARelativelyWiderCountBandThanHeavyTraffic() {
        DetectorState s = new DetectorState();
        Deviation thin = CountScorer.score(new Estimate(BaselineKind.EWMA, 4, 0), 8, s, COUNTS);
        Deviation heavy =
                CountScorer.score(new Estimate(BaselineKind.EWMA, 40_000, 0), 80_000, s, COUNTS);
        assertThat(thin.spread() / 4).isGreaterThan(heavy.spread() / 40_000);
        assertThat(thin.significant()).isFalse(); // doubling 4 views is noise
        assertThat(heavy.significant()).isTrue(); // doubling 40,000 views is not
    }

    @Test
    void countScoringAlertsOnDropsAsWellAsRisesAndUsesThePoissonTailForSmallCounts() {
        DetectorState s = new DetectorState();
        Deviation drop = CountScorer.score(new Estimate(BaselineKind.EWMA, 400, 0), 300, s, COUNTS);
        assertThat(drop.z()).isCloseTo(-100 / 20.0, within(1e-12));
        assertThat(drop.significant()).isTrue();
        double limit = 1 - new NormalDistribution().cumulativeProbability(4);
        PoissonDistribution p = new PoissonDistribution(3);
        for (int k = 0; k < 25; k++) {
            assertThat(CountScorer.exactTailAgrees(3, k, true, 4))
                    .as("k=" + k)
                    .isEqualTo(1 - p.cumulativeProbability(k - 1) <= limit);
        }
    }

    @Test
    void anEmptyMinuteOfAThinSampledSegmentIsNotAsRareAsTheSquareRootScaleSays() {
        // 25 % sampling: weight 4, so the square-root scale's spread is about 2 (phi = 4).
        // 22 weighted views expected = 5.5 received; none in a minute: P = e^-5.5 = 0.4 %.
        double spread = 2;
        double y0 = 2 * Math.sqrt(0 + 0.375);
        double yExpected = 2 * Math.sqrt(22 + 0.375);
        assertThat((y0 - yExpected) / spread).as("the Gaussian z on the sqrt scale").isLessThan(-4);
        assertThat(CountScorer.quasiPoissonAgrees(22, 0, spread, 4)).isFalse();
        double limit = 1 - new NormalDistribution().cumulativeProbability(4);
        assertThat(new PoissonDistribution(5.5).cumulativeProbability(0)).isGreaterThan(limit);
        // The same segment losing everything for a minute at 400 expected (100 received) is rare.
        assertThat(CountScorer.quasiPoissonAgrees(400, 0, spread, 4)).isTrue();
        // A plain Poisson count (spread 1) is judged on its own tail: 30 expected, 12 seen is
        // 1.7e-4 (not 4 sigma: 3.2e-5), 8 seen 2.0e-6 (beyond it).
        assertThat(CountScorer.quasiPoissonAgrees(30, 12, 1, 4)).isFalse();
        assertThat(CountScorer.quasiPoissonAgrees(30, 8, 1, 4)).isTrue();
        // A spread below Poisson's is not believed: phi is at least 1.
        assertThat(CountScorer.quasiPoissonAgrees(30, 12, 0.5, 4)).isFalse();
        // Big counts: the normal approximation is kept.
        assertThat(CountScorer.quasiPoissonAgrees(1e6, 9e5, 1, 4)).isTrue();
    }

    @Test
    void aDropThresholdLowersTheBarForFallsOnly() {
        // Counts on the square-root scale as the throughput kind scores them: rises at the
        // budget's 5, falls at 4.
        DetectorSpec spec =
                DetectorSpec.builder()
                        .kind(MetricKind.THROUGHPUT)
                        .zThreshold(5)
                        .dropZThreshold(4)
                        .build();
        DetectorState s = new DetectorState();
        Estimate e = new Estimate(BaselineKind.EWMA, 10, 1);
        assertThat(GaussianScorer.score(e, 14.5, Double.NaN, s, spec).significant()).isFalse();
        assertThat(GaussianScorer.score(e, 5.5, Double.NaN, s, spec).significant()).isTrue();
        assertThat(GaussianScorer.score(e, 15.5, Double.NaN, s, spec).significant()).isTrue();
        assertThat(GaussianScorer.score(e, 6.5, Double.NaN, s, spec).significant()).isFalse();
        // Raw counts (count scorer) and proportions take the same per-direction threshold.
        Estimate hundred = new Estimate(BaselineKind.EWMA, 100, 0);
        assertThat(CountScorer.score(hundred, 145, s, spec).significant()).isFalse();
        assertThat(CountScorer.score(hundred, 55, s, spec).significant()).isTrue();
        // Unset (0): z_threshold both ways, and the spec keeps its identity text.
        DetectorSpec both =
                DetectorSpec.builder().kind(MetricKind.THROUGHPUT).zThreshold(5).build();
        assertThat(both.zThresholdFor(-4.5)).isEqualTo(5);
        assertThat(both.toString()).doesNotContain("dropZThreshold");
        assertThat(spec.zThresholdFor(-4.5)).isEqualTo(4);
        assertThat(spec.zThresholdFor(4.5)).isEqualTo(5);
    }

    @Test
    void theGaussianSpreadIsFlooredAndWidensWhenTheWindowHasLessVolumeThanUsual() {
        DetectorSpec spec = DetectorSpec.builder().sdFloor(1).build();
        DetectorState s = new DetectorState();
        s.ewVolume = 400;
        Estimate e = new Estimate(BaselineKind.EWMA, 100, 0.5);
        assertThat(GaussianScorer.score(e, 100, Double.NaN, s, spec).spread()).isEqualTo(1);
        assertThat(GaussianScorer.score(e, 100, 100, s, spec).spread()).isCloseTo(2, within(1e-12));
        assertThat(GaussianScorer.score(e, 100, 1600, s, spec).spread()).isEqualTo(1);
    }
}
