package io.beaconflow.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.jobs.detection.MetricScore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The segment-versus-total check on rows built by hand, with the arithmetic spelled out. */
class ParentConsistencyTest {
    static final long M = 60_000;

    static RowDigest row(
            String dimension,
            String value,
            int minute,
            String metric,
            double residual,
            double spread,
            double volume) {
        RowDigest r = new RowDigest();
        r.dimension = dimension;
        r.dimensionValue = value;
        r.windowStart = minute * M;
        MetricScore s = new MetricScore();
        s.residual = residual;
        s.spread = spread;
        s.denominator = volume;
        s.value = 1.0;
        r.scores.put(metric, s);
        return r;
    }

    /** Three windows: the segment (volume share 0.5) with the given log residual, the total's. */
    static List<RowDigest> windows(double share, double segment, double total) {
        List<RowDigest> rows = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            rows.add(row("os", "Android", m, "lcp_p75", segment, 0.1, 100 * share));
            rows.add(row("all", "*", m, "lcp_p75", total, 0.03, 100));
        }
        return rows;
    }

    @Test
    void aBusySegmentsBlipTheTotalDoesNotShowIsContradicted() {
        // Implied on the total: 0.5 (shown) x 0.5 (share) x 0.3 = 0.075; shown 0; spread 0.03:
        // -2.5 per window, pooled over 3 windows -2.5 x sqrt(3) = -4.33.
        List<RowDigest> rows = windows(0.5, 0.3, 0.0);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isCloseTo(-2.5 * Math.sqrt(3), within(1e-9));
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, rows, 3))
                .isTrue();
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, rows, 0))
                .as("0 = off")
                .isFalse();
    }

    @Test
    void aRealChangeOfTheSegmentShowsOnTheTotalAndIsNotContradicted() {
        // The total moved by share x change = 0.15: above the implied half.
        List<RowDigest> rows = windows(0.5, 0.3, 0.15);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isPositive();
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, rows, 3))
                .isFalse();
        // Even a total that shows only a third of it is not a clear contradiction: the share x
        // change model is approximate, only "significantly less than half" counts.
        List<RowDigest> third = windows(0.5, 0.3, 0.05);
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, third, 3))
                .isFalse();
    }

    @Test
    void aSmallSegmentIsNeverContradictedByTheTotalsNoise() {
        // Share 0.05 doubling (log 0.69): implied 0.017 on a total whose spread is 0.03.
        List<RowDigest> rows = windows(0.05, 0.69, 0.0);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isCloseTo(-(0.5 * 0.05 * 0.69 / 0.03) * Math.sqrt(3), within(1e-9));
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, rows, 3))
                .isFalse();
    }

    @Test
    void aDropIsJudgedTheOtherWayRound() {
        // The share of good LCP fell by 0.3 on half the traffic; the total did not move.
        List<RowDigest> unseen = windows(0.5, -0.3, 0.0);
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", true, unseen, 3))
                .isTrue();
        List<RowDigest> seen = windows(0.5, -0.3, -0.15);
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", true, seen, 3))
                .isFalse();
    }

    @Test
    void withoutTheTotalsRowsOrVolumesNothingIsContradicted() {
        List<RowDigest> segmentOnly = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            segmentOnly.add(row("os", "Android", m, "lcp_p75", 0.3, 0.1, 50));
        }
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, segmentOnly))
                .isNaN();
        assertThat(ParentConsistency.contradicts("lcp_p75", "os", "Android", false, segmentOnly, 3))
                .isFalse();
        // Counts carry no volume (denominator null): not checked.
        List<RowDigest> counts = windows(0.5, -3, 0);
        counts.forEach(r -> r.scores.get("lcp_p75").denominator = null);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", true, counts)).isNaN();
        // The app total itself is never checked against itself.
        assertThat(
                        ParentConsistency.contradicts(
                                "lcp_p75", "all", "*", false, windows(1, 0.3, 0), 3))
                .isFalse();
    }
}
