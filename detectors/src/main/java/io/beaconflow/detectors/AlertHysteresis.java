package io.beaconflow.detectors;

/**
 * Turns a series' anomalies into alerts, so that one incident opens one alert: an alert opens after
 * {@code alerting.trigger_points} consecutive anomalies, closes after {@code alerting.clear_points}
 * consecutive normal points, and after closing waits {@code alerting.cooldown_points} points before
 * it may open again. Owns the alert fields of {@link DetectorState} ({@code anomalyRun}, {@code
 * normalRun}, {@code alertOpen}, {@code cooldownLeft}).
 *
 * <p>The threshold has hysteresis too ({@link #CLEAR_FRACTION}): while an alert is open, a window
 * must come back within half the threshold to count as normal, or an incident that sits near the
 * threshold flickers "normal" and resolves while it lasts.
 *
 * <p>Knobs: the three {@code alerting.*} points. Known false positives: none of its own; a cooldown
 * longer than the gap between two real incidents hides the second one.
 */
final class AlertHysteresis {
    private AlertHysteresis() {}

    /** While an alert is open, |z| below this fraction of z_threshold counts as recovered. */
    static final double CLEAR_FRACTION = 0.5;

    /** The |z| that holds an open alert open: {@link #CLEAR_FRACTION} of the threshold. */
    static double holdThreshold(DetectorSpec spec) {
        return spec.zThreshold() * CLEAR_FRACTION;
    }

    /**
     * As {@link #holdThreshold(DetectorSpec)}, of the window threshold for a deviation of sign z.
     */
    static double holdThreshold(DetectorSpec spec, double z) {
        return spec.zThresholdFor(z) * CLEAR_FRACTION;
    }

    /**
     * Counts this point's verdict into the runs and opens or closes the alert.
     *
     * @return true when this point opens a new alert
     */
    static boolean advance(DetectorSpec spec, DetectorState s, boolean anomaly) {
        if (anomaly) {
            s.anomalyRun++;
            s.normalRun = 0;
        } else {
            s.normalRun++;
            s.anomalyRun = 0;
        }
        if (s.alertOpen) {
            if (s.normalRun >= spec.alerting().clearPoints()) {
                s.alertOpen = false;
                s.cooldownLeft = spec.alerting().cooldownPoints();
                // The incident's evidence is spent: a long scale would still hold its windows for
                // as many windows as it spans and reopen an alert for an incident that is over
                // (a CUSUM restarts after its alarm for the same reason).
                s.evidenceWritten = 0;
            }
        } else if (s.cooldownLeft > 0) {
            s.cooldownLeft--;
        } else if (s.anomalyRun >= spec.alerting().triggerPoints()) {
            s.alertOpen = true;
            return true;
        }
        return false;
    }
}
