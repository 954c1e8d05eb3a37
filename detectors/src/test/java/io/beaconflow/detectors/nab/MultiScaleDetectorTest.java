package io.beaconflow.detectors.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.detectors.PointStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.junit.jupiter.api.Test;

class MultiScaleDetectorTest {
    static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    static final long STEP = 300_000; // 5 minutes, as most NAB files

    /** The NAB spec without seasonal slots: an EWMA z-score with a novelty gate and cooldown. */
    private static DetectorSpec spec() {
        return DetectorSpec.builder()
                .kind(MetricKind.GENERIC)
                .allowNegative(true)
                .direction(Direction.BOTH)
                .zThreshold(4)
                .alpha(0.01)
                .minPoints(30)
                .anomalyWeight(1.0)
                .noveltyHalfLife(1000)
                .noveltyRatio(1.1)
                .cooldownPoints(50)
                .build();
    }

    /** Gaussian noise (sd 1) around 10, plus {@code shift} from point {@code at} on. */
    private static double[] noiseWithShift(long seed, int n, int at, double shift) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 10 + r.nextGaussian() + (i >= at ? shift : 0);
        }
        return x;
    }

    private static List<Integer> detections(MultiScaleDetector d, double[] values) {
        MultiScaleDetector.State s = d.newState();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (d.update(s, T0 + i * STEP, values[i]).alertOpened()) {
                out.add(i);
            }
        }
        return out;
    }

    @Test
    void eachScaleSeesTheMeanOfTheLastKAcceptedValuesAsCommonsMathComputesIt() {
        MultiScaleDetector d = new MultiScaleDetector(spec(), List.of(1, 5, 12));
        MultiScaleDetector.State s = d.newState();
        double[] x = noiseWithShift(3, 100, 50, 2);
        for (int i = 0; i < x.length; i++) {
            d.update(s, T0 + i * STEP, x[i]);
            for (int k : new int[] {1, 5, 12}) {
                if (i + 1 >= k) {
                    assertThat(MultiScaleDetector.rollingMean(s, k))
                            .isCloseTo(
                                    new Mean().evaluate(x, i + 1 - k, k),
                                    org.assertj.core.api.Assertions.within(1e-12));
                }
            }
        }
        // scale k was fed from its k-th point on: points scored = n - k + 1
        assertThat(s.perScale[0].accepted).isEqualTo(100);
        assertThat(s.perScale[1].accepted).isEqualTo(96);
        assertThat(s.perScale[2].accepted).isEqualTo(89);
    }

    @Test
    void aShiftInsideThePointNoiseIsMissedOnTheRawSeriesAndCaughtOnTheRollingMean() {
        // 1.5 sd: the raw series never leaves its 4-sd band, the 12-point mean (sd 0.29) does.
        double[] x = noiseWithShift(7, 1500, 1000, 1.5);
        List<Integer> rawOnly = detections(new MultiScaleDetector(spec(), List.of(1)), x);
        List<Integer> multi = detections(new MultiScaleDetector(spec(), List.of(1, 12)), x);

        assertThat(rawOnly).noneMatch(i -> i >= 1000);
        assertThat(multi).anyMatch(i -> i >= 1000 && i < 1000 + 24);
        assertThat(multi).noneMatch(i -> i < 1000); // and no false alarm before it
    }

    @Test
    void oneIncidentSeenOnSeveralScalesIsOneDetection() {
        double[] x = noiseWithShift(11, 1200, 1000, 8);
        MultiScaleDetector d = new MultiScaleDetector(spec(), List.of(1, 12, 48));
        MultiScaleDetector.State s = d.newState();
        int perScaleOpenings = 0;
        List<Integer> detections = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            boolean[] before = new boolean[3];
            for (int k = 0; k < 3; k++) {
                before[k] = s.perScale[k].alertOpen;
            }
            if (d.update(s, T0 + i * STEP, x[i]).alertOpened()) {
                detections.add(i);
            }
            for (int k = 0; k < 3; k++) {
                if (!before[k] && s.perScale[k].alertOpen && i >= 1000) {
                    perScaleOpenings++;
                }
            }
        }
        assertThat(perScaleOpenings).isGreaterThan(1); // the scales do open separately
        assertThat(detections).containsExactly(1000);
    }

    @Test
    void withTheRawSeriesAloneItDecidesExactlyAsTheDetectorOnARealNabFile() throws IOException {
        NabFile file =
                NabDataset.load(
                                NabScorerTest.NAB.resolve("data"),
                                NabScorerTest.NAB.resolve("labels/combined_windows.json"))
                        .stream()
                        .filter(f -> f.baseName().equals("ec2_network_in_5abac7"))
                        .findFirst()
                        .orElseThrow(); // has 12 rows with a repeated timestamp
        Detector plain = new Detector(spec());
        DetectorState ps = plain.newState();
        MultiScaleDetector multi = new MultiScaleDetector(spec(), List.of(1));
        MultiScaleDetector.State ms = multi.newState();
        int opened = 0;
        for (int i = 0; i < file.rows(); i++) {
            long t = file.timestampsMillis()[i];
            double v = file.values()[i];
            PointResult a = plain.update(ps, t, v);
            PointResult b = multi.update(ms, t, v);
            assertThat(b.alertOpened()).as("row %d", i).isEqualTo(a.alertOpened());
            assertThat(b.status()).as("row %d", i).isEqualTo(a.status());
            assertThat(b.score()).as("row %d", i).isEqualTo(a.score());
            opened += a.alertOpened() ? 1 : 0;
        }
        assertThat(opened).isPositive();
        assertThat(ms.skipped).isEqualTo(ps.skippedTotal()).isPositive();
    }

    @Test
    void skippedPointsReachNoScaleAndSayWhy() {
        MultiScaleDetector d = new MultiScaleDetector(spec(), List.of(1, 3));
        MultiScaleDetector.State s = d.newState();
        d.update(s, T0, 1);
        d.update(s, T0 + STEP, 2);
        assertThat(d.update(s, T0 + STEP, 100).status()).isEqualTo(PointStatus.SKIPPED_DUPLICATE);
        assertThat(d.update(s, T0, 100).status()).isEqualTo(PointStatus.SKIPPED_OUT_OF_ORDER);
        assertThat(d.update(s, T0 + 2 * STEP, Double.NaN).status())
                .isEqualTo(PointStatus.SKIPPED_NAN);
        d.update(s, T0 + 3 * STEP, 3);
        assertThat(MultiScaleDetector.rollingMean(s, 3)).isEqualTo(2.0);
        assertThat(s.accepted).isEqualTo(3);
        assertThat(s.skipped).isEqualTo(3);
    }

    @Test
    void badScalesAreRejected() {
        assertThatThrownBy(() -> new MultiScaleDetector(spec(), List.of()))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> new MultiScaleDetector(spec(), List.of(1, 0)))
                .hasMessageContaining(">= 1");
        assertThatThrownBy(() -> new MultiScaleDetector(spec(), List.of(12, 12)))
                .hasMessageContaining("repeated");
    }
}
