package io.beaconflow.detectors;

/**
 * Test specs shaped like the kinds flink-conf/detectors/defaults.yaml ships, for tests that turn
 * one knob of them. The tests' measured numbers rest on these exact settings: change one and
 * re-measure every test that uses it.
 */
public final class ShippedShapes {
    private ShippedShapes() {}

    /**
     * The latency kind's window test: log scale, rises only, z 5.3 (as the budget derives it), at
     * least 20 % and 20 samples, a spread floor of about 5 % (0.05 on the log scale), points beyond
     * |z| 2.5 down-weighted (robust_z) and anomalies learned at weight 0; the baseline's other keys
     * and the alerting keys at the builder's defaults.
     */
    public static DetectorSpecBuilder latency() {
        return DetectorSpec.builder()
                .kind(MetricKind.LATENCY)
                .transform(Transform.LOG)
                .direction(Direction.UP)
                .zThreshold(5.3)
                .minRelChange(0.2)
                .minVolume(20)
                .sdFloor(0.05)
                .robustZ(2.5)
                .anomalyWeight(0);
    }

    /**
     * Sets the {@code baseline:} and {@code alerting:} sections every kind in defaults.yaml shares:
     * alpha 0.05 after 30 points, anomalies learned at weight 0 until 60 come in a row, points
     * beyond |z| 2.5 down-weighted, in-band windows learned at that weight too while an alert is
     * open; two anomalous windows open an alert, three normal ones close it, ten windows of
     * cooldown.
     */
    public static DetectorSpecBuilder withShippedBaselineAndAlerting(DetectorSpecBuilder b) {
        return b.alpha(0.05)
                .minPoints(30)
                .anomalyWeight(0)
                .relearnAfter(60)
                .robustZ(2.5)
                .freezeWhileOpen(true)
                .triggerPoints(2)
                .clearPoints(3)
                .cooldownPoints(10);
    }
}
