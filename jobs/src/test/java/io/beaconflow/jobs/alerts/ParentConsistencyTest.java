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
        MetricScore s = RowDigests.score(1.0, null);
        s.residual = residual;
        s.spread = spread;
        s.denominator = volume;
        return RowDigests.row(dimension, value, minute * M, metric, s);
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

    /** Whether Android's lcp_p75 finding ({@code down} or up) is contradicted by its app total. */
    static boolean androidLcpContradicted(boolean down, List<RowDigest> rows, double threshold) {
        return ParentConsistency.contradicts("lcp_p75", "os", "Android", down, rows, threshold);
    }

    /** Whether Japan's page_views finding ({@code down} or up) is contradicted by its app. */
    static boolean japanViewsContradicted(boolean down, List<RowDigest> rows, double threshold) {
        return ParentConsistency.contradicts("page_views", "country", "JP", down, rows, threshold);
    }

    @Test
    void aBusySegmentsBlipTheTotalDoesNotShowIsContradicted() {
        // Implied on the total: 0.5 (shown) x 0.5 (share) x 0.3 = 0.075; shown 0; spread 0.03:
        // -2.5 per window, pooled over 3 windows -2.5 x sqrt(3) = -4.33.
        List<RowDigest> rows = windows(0.5, 0.3, 0.0);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isCloseTo(-2.5 * Math.sqrt(3), within(1e-9));
        assertThat(androidLcpContradicted(false, rows, 3)).isTrue();
        assertThat(androidLcpContradicted(false, rows, 0)).as("0 = off").isFalse();
    }

    @Test
    void aRealChangeOfTheSegmentShowsOnTheTotalAndIsNotContradicted() {
        // The total moved by share x change = 0.15: above the implied half.
        List<RowDigest> rows = windows(0.5, 0.3, 0.15);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isPositive();
        assertThat(androidLcpContradicted(false, rows, 3)).isFalse();
        // Even a total that shows only a third of it is not a clear contradiction: the share x
        // change model is approximate, only "significantly less than half" counts.
        List<RowDigest> third = windows(0.5, 0.3, 0.05);
        assertThat(androidLcpContradicted(false, third, 3)).isFalse();
    }

    @Test
    void aSmallSegmentIsNeverContradictedByTheTotalsNoise() {
        // Share 0.05 doubling (log 0.69): implied 0.017 on a total whose spread is 0.03.
        List<RowDigest> rows = windows(0.05, 0.69, 0.0);
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, rows))
                .isCloseTo(-(0.5 * 0.05 * 0.69 / 0.03) * Math.sqrt(3), within(1e-9));
        assertThat(androidLcpContradicted(false, rows, 3)).isFalse();
    }

    @Test
    void aDropIsJudgedTheOtherWayRound() {
        // The share of good LCP fell by 0.3 on half the traffic; the total did not move.
        List<RowDigest> unseen = windows(0.5, -0.3, 0.0);
        assertThat(androidLcpContradicted(true, unseen, 3)).isTrue();
        List<RowDigest> seen = windows(0.5, -0.3, -0.15);
        assertThat(androidLcpContradicted(true, seen, 3)).isFalse();
    }

    @Test
    void withoutTheTotalsRowsOrVolumesNothingIsContradicted() {
        List<RowDigest> segmentOnly = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            segmentOnly.add(row("os", "Android", m, "lcp_p75", 0.3, 0.1, 50));
        }
        assertThat(ParentConsistency.shortfall("lcp_p75", "os", "Android", false, segmentOnly))
                .isNaN();
        assertThat(androidLcpContradicted(false, segmentOnly, 3)).isFalse();
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

    static RowDigest count(
            String dimension, String value, int minute, double observed, double expected) {
        MetricScore s = RowDigests.score(observed, expected);
        s.spread = 1.2; // what page views measure on generator traffic (defaults.yaml)
        return RowDigests.row(dimension, value, minute * M, "page_views", s);
    }

    /** Three windows of page views: a country expected at 100 of its app's 500 a minute. */
    static List<RowDigest> traffic(double country, double app) {
        List<RowDigest> rows = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            rows.add(count("country", "JP", m, country, 100));
            rows.add(count("all", "*", m, app, 500));
        }
        return rows;
    }

    @Test
    void aSegmentsTrafficDropDuringALullOfItsWholeAppIsContradicted() {
        // The app fell to 55 % and the country with it: its share stayed at p = 0.2.
        List<RowDigest> lull = traffic(55, 275);
        assertThat(ParentConsistency.shareChange("page_views", "country", "JP", true, lull))
                .isCloseTo(0, within(1e-9));
        assertThat(japanViewsContradicted(true, lull, 3)).isTrue();
    }

    @Test
    void aSegmentsOwnOutageStandsOutFromItsApp() {
        // The country fell to 20, the rest of the app stayed at 400: 60 of 1,260 views against
        // p x 1,260 = 252, sd = sqrt(1.2^2 x 1,260 x 0.2 x 0.8) = 17.04: 11.3 standard errors.
        List<RowDigest> outage = traffic(20, 420);
        double z = ParentConsistency.shareChange("page_views", "country", "JP", true, outage);
        assertThat(z).isCloseTo(192 / Math.sqrt(1.44 * 1260 * 0.16), within(1e-9));
        assertThat(japanViewsContradicted(true, outage, 3)).isFalse();
        // Judged in the finding's direction: the same windows read as a rise are contradicted.
        assertThat(japanViewsContradicted(false, outage, 3)).isTrue();
        assertThat(japanViewsContradicted(true, outage, 0)).as("0 = off").isFalse();
    }

    @Test
    void aSmallShareChangeWithinItsNoiseIsContradictedAndOneBeyondItIsNot() {
        // 90 instead of 100 with the rest at 400: 270 of 1,470 against 294, sd 17.6: 1.4 sd.
        assertThat(japanViewsContradicted(true, traffic(90, 490), 3)).isTrue();
        // 70 instead of 100: 210 of 1,410 against 282, sd 17.1: 4.2 sd.
        assertThat(japanViewsContradicted(true, traffic(70, 470), 3)).isFalse();
    }

    @Test
    void countsAreNotCheckedWhenTheSegmentIsMostOfItsAppOrTheAppCountedNothing() {
        List<RowDigest> most = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            most.add(count("device", "desktop", m, 50, 95));
            most.add(count("all", "*", m, 55, 100));
        }
        assertThat(ParentConsistency.shareChange("page_views", "device", "desktop", true, most))
                .isNaN();
        assertThat(ParentConsistency.contradicts("page_views", "device", "desktop", true, most, 3))
                .isFalse();
        // The whole app went silent: every segment's outage stands.
        assertThat(
                        ParentConsistency.shareChange(
                                "page_views", "country", "JP", true, traffic(0, 0)))
                .isNaN();
        assertThat(japanViewsContradicted(true, traffic(0, 0), 3)).isFalse();
    }
}
