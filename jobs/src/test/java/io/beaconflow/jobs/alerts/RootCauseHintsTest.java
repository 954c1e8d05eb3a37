package io.beaconflow.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.detection.MetricScore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootCauseHintsTest {
    static RowDigest row(
            String dim,
            String value,
            double observed,
            Double denominator,
            Double expected,
            String baseline) {
        MetricScore s = RowDigests.score(observed, expected);
        s.denominator = denominator;
        s.baseline = baseline;
        return RowDigests.row(dim, value, 0, "m", s);
    }

    @Test
    void aNewReleaseWithoutHistoryIsJudgedAgainstTheAppTotal() {
        List<RowDigest> rows = new ArrayList<>();
        rows.add(row("all", "*", 2600, 1000.0, 2000.0, "ewma"));
        rows.add(row("release", "2.4.0", 4000, 300.0, null, "none"));
        rows.add(row("release", "2.3.1", 2050, 700.0, 2000.0, "ewma"));
        List<String> hints = RootCauseHints.compute("m", "up", rows, null, 0.5, 3);
        assertThat(hints)
                .containsExactly("release=2.4.0 carries 94% of the extra m (30% of its volume)");
    }

    @Test
    void aDropIsAttributedToTheValueThatLostTheMostAndEvenSpreadGivesNoHint() {
        List<RowDigest> rows = new ArrayList<>();
        rows.add(row("country", "DE", 20, null, 100.0, "ewma"));
        rows.add(row("country", "US", 200, null, 205.0, "ewma"));
        rows.add(row("browser", "Chrome", 150, null, 200.0, "ewma"));
        rows.add(row("browser", "Safari", 70, null, 105.0, "ewma"));
        List<String> hints = RootCauseHints.compute("m", "down", rows, null, 0.5, 3);
        assertThat(hints)
                .containsExactly("country=DE carries 94% of the drop in m (33% of its volume)");
    }

    @Test
    void theAlertsOwnDimensionIsLeftOut() {
        List<RowDigest> rows =
                List.of(
                        row("route", "/a", 0.3, 100.0, 0.02, "ewma"),
                        row("route", "/b", 0.02, 100.0, 0.02, "ewma"));
        assertThat(RootCauseHints.compute("m", "up", rows, "route", 0.5, 3)).isEmpty();
        assertThat(RootCauseHints.compute("m", "up", rows, null, 0.5, 3)).hasSize(1);
    }
}
