package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpecSetFamilyTest {
    @Test
    void theReleaseCanaryTestsFailureRatesButNotSharesWhoseRiseIsAnImprovement() {
        assertThat(SpecSet.familyOf("fetch_failure_rate")).isEqualTo("error_rate");
        assertThat(SpecSet.familyOf("fetch_error_rate")).isEqualTo("error_rate");
        assertThat(SpecSet.familyOf("lcp_p75")).isEqualTo("latency");
        assertThat(SpecSet.familyOf("lcp_good_share")).isNull();
        assertThat(SpecSet.familyOf("apdex")).isNull();
        assertThat(SpecSet.isRowMetric("inp_good_share")).isTrue();
        assertThat(SpecSet.isRowMetric("load_good_share")).isFalse();
    }
}
