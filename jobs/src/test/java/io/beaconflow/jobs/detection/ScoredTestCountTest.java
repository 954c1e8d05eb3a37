package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.detectors.evidence.AlertBudget;
import org.junit.jupiter.api.Test;

/** The measured tests per window and the budget warning ({@link ScoredTestCount}). */
class ScoredTestCountTest {
    static final long W = 60_000;

    @Test
    void aWindowClosesWhenAWindowTwoLaterIsScoredAndLateTestsOfItAreLeftOut() {
        ScoredTestCount c = new ScoredTestCount(W);
        for (int i = 0; i < 5; i++) assertThat(c.record(0)).isFalse();
        assertThat(c.record(W)).as("one window later: a straggler of 0 may still come").isFalse();
        assertThat(c.record(0)).isFalse();
        assertThat(c.lastWindow()).isZero();
        assertThat(c.record(2 * W)).as("two later: 0 is complete").isTrue();
        assertThat(c.lastWindow()).isEqualTo(6);
        assertThat(c.record(0)).as("a zero-filled test of a closed window").isFalse();
        // A jump over empty windows closes what is open; a straggler of a skipped window does not
        // open it again (it would report a window of one test).
        assertThat(c.record(10 * W)).isTrue();
        assertThat(c.lastWindow()).isEqualTo(1);
        assertThat(c.record(5 * W)).isFalse();
        assertThat(c.record(12 * W)).isTrue();
        assertThat(c.lastWindow()).as("window 10 alone").isEqualTo(1);
    }

    @Test
    void theMeanRunsOverTheLastHourOfClosedWindowsOnly() {
        ScoredTestCount c = new ScoredTestCount(W);
        for (int w = 0; w < 200; w++) {
            int tests = w < 100 ? 10 : 40;
            for (int t = 0; t < tests; t++) c.record(w * W);
            if (w == 60) assertThat(c.hourMean()).as("59 windows closed").isNaN();
            if (w == 61) assertThat(c.hourMean()).isEqualTo(10.0);
        }
        // Windows 0-197 are closed; the last 60 are 138-197, all with 40 tests.
        assertThat(c.hourMean()).isEqualTo(40.0);
        assertThat(c.lastWindow()).isEqualTo(40);
    }

    @Test
    void theWarningNamesTheMeasuredTestsTheFalseAlertsTheyAllowAndTheValueToSet() {
        AlertBudget budget = new AlertBudget(1, 2000, 1440);
        assertThat(ScoredTestCount.budgetWarning(budget, 1500, "defaults.yaml")).isNull();
        assertThat(ScoredTestCount.budgetWarning(budget, 2000, "defaults.yaml")).isNull();
        assertThat(ScoredTestCount.budgetWarning(null, 9000, "defaults.yaml")).isNull();
        assertThat(ScoredTestCount.budgetWarning(budget, 5000.4, "defaults.yaml"))
                .isEqualTo(
                        "budget.tests_per_window is 2000 in defaults.yaml, but the job scores"
                                + " about 5000 tests a window (the last hour): its thresholds"
                                + " allow up to 2.50 false alerts a day instead of the 1 set."
                                + " Fix: set tests_per_window: 5001 there (or more, for growth)"
                                + " and resubmit or update the spec");
    }
}
