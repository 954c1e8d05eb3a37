package io.beaconflow.detectors;

/**
 * The {@code alerting:} section of a detector spec: the hysteresis that makes one incident one
 * alert ({@link AlertHysteresis}).
 *
 * @param triggerPoints consecutive anomalies that open an alert
 * @param clearPoints consecutive normal points that close it
 * @param cooldownPoints points after closing before an alert may open again
 */
public record AlertingSpec(int triggerPoints, int clearPoints, int cooldownPoints) {
    public static final int DEFAULT_TRIGGER_POINTS = 1;
    public static final int DEFAULT_CLEAR_POINTS = 3;
    public static final int DEFAULT_COOLDOWN_POINTS = 0;

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return ", alerting=" + triggerPoints + "/" + clearPoints + "/" + cooldownPoints;
    }
}
