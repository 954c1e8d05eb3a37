package io.beaconflow.jobs.io.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DailyIndexTest {
    @Test
    void theIndexIsTheUtcDayOfTheEventTime() {
        long nov2 = 1_793_577_600_000L; // 2026-11-02T00:00:00Z
        assertThat(DailyIndex.name("rum-metrics-", nov2)).isEqualTo("rum-metrics-2026.11.02");
        assertThat(DailyIndex.name("rum-metrics-", nov2 - 1)).isEqualTo("rum-metrics-2026.11.01");
        assertThat(DailyIndex.name("rum-metrics-", nov2 + 86_399_999L))
                .isEqualTo("rum-metrics-2026.11.02");
    }
}
