package io.beaconflow.detectors.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.detectors.BaselineKind;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.Noise;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.Variance;
import org.junit.jupiter.api.Test;

class EwmaBaselineTest {

    @Test
    void duringWarmUpItEqualsTheCommonsMathMeanAndPopulationVariance() {
        double alpha = 0.05; // warm-up lasts 1/alpha = 20 points
        double[] x = Noise.gaussian(1, 20, 100, 7);
        DetectorState s = new DetectorState();
        for (double v : x) {
            EwmaBaseline.update(s, v, alpha, 1.0);
        }
        assertThat(s.ewmaMean).isCloseTo(new Mean().evaluate(x), within(1e-9));
        assertThat(s.ewmaVar).isCloseTo(new Variance(false).evaluate(x), within(1e-9));
    }

    @Test
    void afterWarmUpItEqualsTheCommonsMathWeightedMeanAndVarianceWithExponentialWeights() {
        double alpha = 0.1;
        int warm = 10; // 1/alpha
        double[] x = Noise.gaussian(2, 200, 50, 3);
        DetectorState s = new DetectorState();
        for (double v : x) {
            EwmaBaseline.update(s, v, alpha, 1.0);
        }
        int n = x.length;
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            // The warm-up points share the weight that is left over for them; later points decay.
            w[i] =
                    i < warm
                            ? Math.pow(1 - alpha, n - warm) / warm
                            : alpha * Math.pow(1 - alpha, n - 1 - i);
        }
        double mean = new Mean().evaluate(x, w);
        assertThat(s.ewmaMean).isCloseTo(mean, within(1e-9));
        assertThat(s.ewmaVar).isCloseTo(new Variance(false).evaluate(x, w, mean), within(1e-9));
    }

    @Test
    void itStaysAccurateForLargeValuesWithASmallSpread() {
        double[] x = Noise.gaussian(3, 20, 1e9, 0.5);
        DetectorState s = new DetectorState();
        for (double v : x) {
            EwmaBaseline.update(s, v, 0.05, 1.0);
        }
        double reference = new Variance(false).evaluate(x);
        assertThat(s.ewmaVar).isCloseTo(reference, within(reference * 1e-6));
    }

    @Test
    void aZeroWeightLeavesTheBaselineUntouchedAndItAnswersOnlyAfterMinPoints() {
        DetectorState s = new DetectorState();
        for (int i = 0; i < 9; i++) {
            EwmaBaseline.update(s, 10, 0.1, 1.0);
        }
        assertThat(EwmaBaseline.estimate(s, 10)).isEqualTo(Estimate.NONE);
        EwmaBaseline.update(s, 1e6, 0.1, 0.0);
        assertThat(s.ewmaMean).isEqualTo(10);
        assertThat(s.ewmaCount).isEqualTo(9);
        EwmaBaseline.update(s, 10, 0.1, 1.0);
        assertThat(EwmaBaseline.estimate(s, 10).kind()).isEqualTo(BaselineKind.EWMA);
    }

    @Test
    void theSpreadLearnsAtItsOwnAlphaAndTheSameAlphaGivesTheSameState() {
        double[] x = Noise.gaussian(4, 300, 50, 5);
        DetectorState five = new DetectorState();
        DetectorState six = new DetectorState();
        for (double v : x) {
            EwmaBaseline.update(five, v, 0.05, 1.0, 0.7);
            EwmaBaseline.update(six, v, 0.05, 0.05, 1.0, 0.7);
        }
        assertThat(six.ewmaMean).isEqualTo(five.ewmaMean);
        assertThat(six.ewmaVar).isEqualTo(five.ewmaVar);

        // A flat series (variance 0), then one point 10 above it: the mean moves by alpha x 10,
        // the variance to (1 - b) x b x 10² with b the spread's own alpha (past its warm-up).
        DetectorState s = new DetectorState();
        for (int i = 0; i < 200; i++) {
            EwmaBaseline.update(s, 10, 0.1, 0.01, 1.0, 1.0);
        }
        EwmaBaseline.update(s, 20, 0.1, 0.01, 1.0, 1.0);
        assertThat(s.ewmaMean).isCloseTo(11, within(1e-9));
        assertThat(s.ewmaVar).isCloseTo(0.99 * 0.01 * 100, within(1e-9));
    }

    /**
     * A series whose first 60 points are noisy (a job's start, traffic still building up), then
     * calm: until it has seen 1/spreadAlpha points the spread learns at the mean's step, so by then
     * the start is forgotten as with the mean's alpha (not weighted equally with the rest).
     */
    @Test
    void aNoisyStartIsForgottenAtTheMeansPaceBeforeTheSpreadSlowsDown() {
        double[] x = Noise.gaussian(5, 100, 50, 1);
        double[] start = Noise.gaussian(6, 60, 50, 5);
        System.arraycopy(start, 0, x, 0, start.length);
        DetectorState same = new DetectorState();
        DetectorState slow = new DetectorState();
        for (double v : x) {
            EwmaBaseline.update(same, v, 0.05, 1.0);
            EwmaBaseline.update(slow, v, 0.05, 0.01, 1.0, 1.0);
        }
        assertThat(slow.ewmaVar).isEqualTo(same.ewmaVar);
        assertThat(EwmaBaseline.spreadStep(0.05, 0.01, 99)).isEqualTo(0.05);
        assertThat(EwmaBaseline.spreadStep(0.05, 0.01, 100)).isEqualTo(0.01);
        assertThat(EwmaBaseline.spreadStep(0.5, 0.05, 19)).isEqualTo(0.5);
        assertThat(EwmaBaseline.spreadStep(0.05, 0.05, 20)).isEqualTo(0.05);
    }
}
