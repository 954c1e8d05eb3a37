package io.beaconflow.detectors.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorSpecBuilder;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.ShippedShapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class DriftEvidenceTest {
    static final long T0 = 1_700_000_000_000L;
    static final long MINUTE = 60_000;
    static final int HOUR = 60;

    /** The shipped latency block (defaults.yaml), threshold as the budget derives it. */
    static DetectorSpecBuilder latency() {
        return ShippedShapes.withShippedBaselineAndAlerting(
                ShippedShapes.latency().evidenceWindows(16).evidenceCap(2.5));
    }

    static DetectorSpec withDrift() {
        return latency().driftReferenceAlpha(0.005).driftLevelAlpha(0.1).build();
    }

    /**
     * A p75 load time of about 1.2 s, each minute's value log-normal with spread 0.15 (a segment of
     * ~50 loads a minute), wandering ±10 % through the day; {@code factor} multiplies minute i.
     */
    static List<PointResult> run(DetectorSpec spec, int minutes, long seed, IntToDoubleFunction f) {
        Detector detector = new Detector(spec);
        DetectorState s = detector.newState();
        Random rnd = new Random(seed);
        List<PointResult> out = new ArrayList<>();
        for (int i = 0; i < minutes; i++) {
            double daily = 1 + 0.1 * Math.sin(2 * Math.PI * i / (24.0 * HOUR));
            double v = 1200 * daily * Math.exp(0.15 * rnd.nextGaussian()) * f.applyAsDouble(i);
            out.add(detector.update(s, T0 + i * MINUTE, v, 50));
        }
        return out;
    }

    static int firstOpened(List<PointResult> r, int from) {
        for (int i = from; i < r.size(); i++) {
            if (r.get(i).alertOpened()) {
                return i;
            }
        }
        return -1;
    }

    static long opened(List<PointResult> r) {
        return r.stream().filter(PointResult::alertOpened).count();
    }

    /** 2.5x over three hours from hour 12, then back to normal. */
    static double ramp(int i) {
        int start = 12 * HOUR;
        int length = 3 * HOUR;
        if (i < start || i >= start + length) {
            return 1;
        }
        return 1 + 1.5 * (i - start) / (double) length;
    }

    @Test
    void aSlowRampIsFollowedByTheBaselineButCaughtByTheDriftTest() {
        for (long seed = 1; seed <= 3; seed++) {
            List<PointResult> without = run(latency().build(), 20 * HOUR, seed, i -> ramp(i));
            assertThat(opened(without)).as("seed %d without the drift test", seed).isZero();

            List<PointResult> with = run(withDrift(), 20 * HOUR, seed, i -> ramp(i));
            int at = firstOpened(with, 0);
            assertThat(at)
                    .as("seed %d: opened within the ramp, by 2x at the latest", seed)
                    .isBetween(12 * HOUR, 12 * HOUR + 2 * HOUR);
            assertThat(with.get(at).z()).isGreaterThanOrEqualTo(5.3 * 0.5);
            // After relearn_after outlier windows (an hour) the reference accepts the level; a
            // ramp still climbing may then open a second alert, but none opens outside it.
            for (int i = 0; i < with.size(); i++) {
                if (with.get(i).alertOpened()) {
                    assertThat(i).as("seed %d alert at", seed).isBetween(12 * HOUR, 15 * HOUR);
                }
            }
        }
    }

    @Test
    void ordinaryTrafficWithADailyCycleRaisesNothingOverThreeDays() {
        for (long seed = 1; seed <= 5; seed++) {
            assertThat(opened(run(withDrift(), 3 * 24 * HOUR, seed, i -> 1)))
                    .as("seed %d", seed)
                    .isZero();
        }
    }

    @Test
    void aLastingShiftAlertsOnceAndTheReferenceRelearnsIt() {
        // 1.6x for good from hour 8: the window test sees it at once; after relearn_after outlier
        // windows the baseline and the drift reference accept the new level and the alert closes.
        List<PointResult> r = run(withDrift(), 16 * HOUR, 7, i -> i >= 8 * HOUR ? 1.6 : 1);
        int at = firstOpened(r, 0);
        assertThat(at).isBetween(8 * HOUR, 8 * HOUR + 15);
        assertThat(opened(r)).isEqualTo(1);
        assertThat(r.get(r.size() - 1).alertOpen()).isFalse();
    }

    /**
     * A state through the drift test's whole calibration on a flat level 1 (log), spread 0.1: the
     * same every time, so a test can probe one copy and keep another as it was.
     */
    private static DetectorState calibrated(DetectorSpec spec) {
        DetectorState s = new DetectorState();
        DriftEvidence.Verdict v = DriftEvidence.observe(s, spec, 1, 0.1, 50);
        for (int i = 0; i < DriftEvidence.CALIBRATION_WINDOWS - 1; i++) {
            DriftEvidence.learn(s, spec, 1, v.z(), v.directedZ(), 1, true, false);
            v = DriftEvidence.observe(s, spec, 1, 0.1, 50);
        }
        DriftEvidence.learn(s, spec, 1, v.z(), v.directedZ(), 1, true, false);
        return s;
    }

    @Test
    void theTestIsSilentUntilCalibrated() {
        DetectorSpec spec = withDrift();
        // A jump of the recent level: not significant before the last calibrated window ...
        DetectorState early = calibrated(spec);
        early.driftM2Count = DriftEvidence.CALIBRATION_WINDOWS - 1;
        assertThat(DriftEvidence.observe(early, spec, 3, 0.1, 50).significant()).isFalse();
        // ... and significant with it: the level moved 0.2 (log) against a floor-sized spread.
        DriftEvidence.Verdict v = DriftEvidence.observe(calibrated(spec), spec, 3, 0.1, 50);
        assertThat(v.significant()).isTrue();
        assertThat(v.level()).isGreaterThan(v.reference());
        // The volume gate: a series usually thinner than min_volume never passes.
        DetectorState thin = calibrated(spec);
        DriftEvidence.observe(thin, spec, 3, 0.1, 50);
        assertThat(DriftEvidence.observe(thin, spec, 3, 0.1, 10).significant()).isFalse();
    }

    @Test
    void aReferenceThatForgetsAsFastAsTheLevelIsRejectedWithTheFix() {
        assertThatThrownBy(() -> latency().driftReferenceAlpha(0.05).driftLevelAlpha(0.1).build())
                .hasMessageContaining("drift.reference_alpha")
                .hasMessageContaining("use e.g. reference_alpha 0.005");
        assertThatThrownBy(() -> latency().driftReferenceAlpha(1.5).build())
                .hasMessageContaining("drift.reference_alpha");
        assertThat(withDrift().testsPerWindow()).isEqualTo(latency().build().testsPerWindow() + 1);
    }
}
