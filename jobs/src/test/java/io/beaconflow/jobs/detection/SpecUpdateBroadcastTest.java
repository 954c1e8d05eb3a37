package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.detection.DetectorFunctionTest.feed;
import static io.beaconflow.jobs.detection.DetectorFunctionTest.feedNormalMinutes;
import static io.beaconflow.jobs.detection.DetectorFunctionTest.harness;
import static io.beaconflow.jobs.detection.DetectorFunctionTest.last;
import static io.beaconflow.jobs.detection.Rows.SPECS;
import static io.beaconflow.jobs.detection.Rows.normalRate;
import static io.beaconflow.jobs.detection.Rows.normalViews;
import static io.beaconflow.jobs.detection.Rows.total;
import static io.beaconflow.jobs.testing.Harnesses.sideOutput;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.metrics.MetricAggregate;
import java.util.List;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Hot reload of detector specs through broadcast state: output and broadcast state contents. */
class SpecUpdateBroadcastTest {
    static final String LENIENT =
            SPECS.replace("z_threshold: 4", "z_threshold: 4\n    min_rel_change: 10");

    static List<SpecRejection> rejections(
            KeyedBroadcastOperatorTestHarness<String, MetricAggregate, SpecUpdate, ScoredAggregate>
                    h) {
        return sideOutput(h, DetectorFunction.REJECTED);
    }

    @Test
    void aValidUpdateChangesTheVerdictOnTheNextWindowAndKeepsTheBaseline() throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        SpecUpdate lenient = Rows.specs(LENIENT, 100);
        h.processBroadcastElement(lenient, 0);

        feed(h, total("shop", 20, 1000, 0.08));
        MetricScore s = last(h).scores.get("error_rate");
        assertThat(s.anomaly).as("a four-fold jump is below the new 1000 % minimum").isFalse();
        assertThat(s.baseline).as("the baseline survived the update").isEqualTo("ewma");
        assertThat(s.expected).isBetween(0.018, 0.022);
        assertThat(h.getBroadcastState(SpecBroadcast.DESCRIPTOR).get(SpecBroadcast.ACTIVE))
                .isEqualTo(lenient);
        assertThat(rejections(h)).isEmpty();
    }

    @Test
    void anInvalidUpdateIsRejectedWithItsReasonAndThePreviousSpecStays() throws Exception {
        var h = harness(SPECS);
        SpecUpdate good = Rows.specs(SPECS, 5);
        h.processBroadcastElement(good, 0);
        feedNormalMinutes(20, h);
        SpecUpdate typo = Rows.specs(SPECS.replace("z_threshold: 4", "z_treshold: 4"), 6);
        h.processBroadcastElement(typo, 0);

        List<SpecRejection> rejected = rejections(h);
        assertThat(rejected).hasSize(1);
        assertThat(rejected.get(0).version).isEqualTo(6);
        assertThat(rejected.get(0).reason)
                .contains("test-specs.yaml:")
                .contains("z_treshold")
                .contains("Fix:");
        assertThat(rejected.get(0).activeVersion).isEqualTo(5);
        assertThat(h.getBroadcastState(SpecBroadcast.DESCRIPTOR).get(SpecBroadcast.ACTIVE))
                .isEqualTo(good);

        feed(h, total("shop", 20, 1000, 0.08));
        assertThat(last(h).scores.get("error_rate").anomaly).as("old spec still alerts").isTrue();
    }

    @Test
    void anUpdateOlderThanTheActiveSpecIsRejectedAsStale() throws Exception {
        var h = harness(SPECS);
        h.processBroadcastElement(Rows.specs(LENIENT, 10), 0);
        h.processBroadcastElement(Rows.specs(SPECS, 9), 0);
        assertThat(rejections(h))
                .extracting(r -> r.reason)
                .singleElement()
                .asString()
                .startsWith("stale");
        assertThat(h.getBroadcastState(SpecBroadcast.DESCRIPTOR).get(SpecBroadcast.ACTIVE).version)
                .isEqualTo(10);
    }

    @Test
    void changingAMetricsScaleRestartsOnlyThatMetricsBaseline() throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        String gaussian =
                SPECS.replace("kind: error_rate\n", "kind: error_rate\n    scorer: gaussian\n");
        assertThat(gaussian).isNotEqualTo(SPECS);
        h.processBroadcastElement(Rows.specs(gaussian, 1), 0);
        feed(h, total("shop", 20, normalViews(20), normalRate(20)));
        assertThat(last(h).scores.get("error_rate").baseline).isEqualTo("none");
        assertThat(last(h).scores.get("page_views").baseline).isEqualTo("ewma");
    }

    static final String GAUSSIAN =
            SPECS.replace("kind: error_rate\n", "kind: error_rate\n    scorer: gaussian\n");

    /**
     * A scale change leaves the error rate's state stale while the series has no error rate: the
     * series is then not marked as checked, so the state is still replaced when the error rate
     * comes back (a series marked checked at the first row after the change would keep it).
     */
    @Test
    void aScaleChangeRestartsABaselineWhoseMetricComesBackOnlyLater() throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        h.processBroadcastElement(Rows.specs(GAUSSIAN, 1), 0);
        MetricAggregate noErrorRate = total("shop", 20, normalViews(20), normalRate(20));
        noErrorRate.errorRate = null;
        feed(h, noErrorRate);
        assertThat(last(h).scores).containsOnlyKeys("page_views");
        feed(h, total("shop", 21, normalViews(21), normalRate(21)));
        feed(h, total("shop", 22, normalViews(22), normalRate(22)));
        assertThat(last(h).scores.get("error_rate").baseline)
                .as("restarted on the new scale, not continued")
                .isEqualTo("none");
        assertThat(last(h).scores.get("page_views").baseline).isEqualTo("ewma");
    }

    /**
     * A restore with an edited spec file: the same version (0, the file at start), another scale.
     * The series was checked under the old file, so this catches a check remembered by spec version
     * instead of by what the scales are.
     */
    @Test
    void aRestoreWithAnEditedSpecFileRestartsTheBaselinesWhoseScaleChanged() throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        var snapshot = h.snapshot(1L, Rows.T0);
        h.close();
        var restored = DetectorFunctionTest.unopened(GAUSSIAN);
        restored.initializeState(snapshot);
        restored.open();
        feed(restored, total("shop", 20, normalViews(20), normalRate(20)));
        assertThat(last(restored).scores.get("error_rate").baseline).isEqualTo("none");
        assertThat(last(restored).scores.get("page_views").baseline).isEqualTo("ewma");

        var same = DetectorFunctionTest.unopened(SPECS);
        var again = harness(SPECS);
        feedNormalMinutes(20, again);
        same.initializeState(again.snapshot(1L, Rows.T0));
        same.open();
        feed(same, total("shop", 20, normalViews(20), normalRate(20)));
        assertThat(last(same).scores.get("error_rate").baseline).isEqualTo("ewma");
    }

    @Test
    void aMetricRemovedFromTheSpecIsNoLongerScored() throws Exception {
        var h = harness(SPECS);
        feedNormalMinutes(20, h);
        String onlyErrors = SPECS.substring(0, SPECS.indexOf("  page_views:"));
        h.processBroadcastElement(Rows.specs(onlyErrors, 1), 0);
        feed(h, total("shop", 20, normalViews(20), normalRate(20)));
        assertThat(last(h).scores).containsOnlyKeys("error_rate");
    }
}
