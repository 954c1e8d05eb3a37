package io.beaconflow.detectors.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class AlertBudgetTest {
    @Test
    void oneFalseAlertADaySpreadOverEveryTestGivesEachItsShareAndTheNormalQuantileOfIt() {
        AlertBudget b = new AlertBudget(1, 2000, 1440);
        double alpha = 1.0 / (2000.0 * 1440 * 6);
        assertThat(b.alphaPerTest(6)).isCloseTo(alpha, within(1e-15));
        double z = new NormalDistribution(0, 1).inverseCumulativeProbability(1 - alpha);
        assertThat(b.zThreshold(6)).isCloseTo(z, within(1e-9));
        assertThat(b.zThreshold(6)).isBetween(5.2, 5.5);
    }

    @Test
    void moreSeriesOrScalesOrASmallerBudgetMeanAHigherThreshold() {
        AlertBudget b = new AlertBudget(1, 2000, 1440);
        assertThat(new AlertBudget(1, 20_000, 1440).zThreshold(6)).isGreaterThan(b.zThreshold(6));
        assertThat(b.zThreshold(7)).isGreaterThan(b.zThreshold(6));
        assertThat(new AlertBudget(0.1, 2000, 1440).zThreshold(6)).isGreaterThan(b.zThreshold(6));
        // The expected number of chance passes per day is the budget: tests x days x tail.
        double tail = 1 - new NormalDistribution(0, 1).cumulativeProbability(b.zThreshold(6));
        assertThat(tail * 2000 * 1440 * 6).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void badValuesNameTheKeyAndTheFix() {
        assertThatThrownBy(() -> new AlertBudget(0, 2000, 1440))
                .hasMessageContaining("budget.false_alerts_per_day")
                .hasMessageContaining("use e.g. 1");
        assertThatThrownBy(() -> new AlertBudget(1, 0, 1440))
                .hasMessageContaining("budget.tests_per_window");
        assertThatThrownBy(() -> new AlertBudget(1, 10, 0))
                .hasMessageContaining("budget.windows_per_day");
    }
}
