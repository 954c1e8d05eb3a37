package io.beaconflow.detectors;

/**
 * The verdict on one point: enough for a dashboard to draw the band and for an alert to explain
 * itself.
 *
 * @param timestampMillis event time of the point
 * @param value the observed value (original scale; for proportions the rate)
 * @param status whether the point was scored or why it was skipped
 * @param baseline which baseline answered ({@link BaselineKind#NONE} while warming up or skipped)
 * @param expected expected value on the original scale (NaN when no baseline answered)
 * @param lower lower edge of the band at the z threshold, original scale (NaN when none)
 * @param upper upper edge of the band at the z threshold, original scale (NaN when none)
 * @param z signed deviation in standard errors (NaN when no statistical baseline answered)
 * @param score severity in [0, 1]; {@code score >= 0.5} exactly when {@code anomaly}
 * @param direction sign of the deviation: {@link Direction#UP} or {@link Direction#DOWN}, or null
 *     when the value equals the expectation or nothing was judged
 * @param anomaly the point passed the statistical threshold and every gate (direction, volume,
 *     absolute and relative change)
 * @param alertOpened this point opens a new alert (after hysteresis and cooldown): one incident is
 *     one opening
 * @param alertOpen an alert is open after this point
 * @param residual this window's own deviation from the expectation on the scorer's working scale
 *     (after the transform), NaN when no statistical baseline answered; unlike {@code z} it is
 *     never replaced by a pooled verdict
 * @param spread the standard error of one window on the working scale ({@code residual / spread} is
 *     the window's own z), NaN when no statistical baseline answered. With {@code residual} it lets
 *     a consumer compare series on one scale: how much of a segment's change its parent shows
 */
public record PointResult(
        long timestampMillis,
        double value,
        PointStatus status,
        BaselineKind baseline,
        double expected,
        double lower,
        double upper,
        double z,
        double score,
        Direction direction,
        boolean anomaly,
        boolean alertOpened,
        boolean alertOpen,
        double residual,
        double spread) {

    /**
     * A point no baseline judged (refused, or nothing to judge it by yet): no expectation, no band,
     * score 0, not an anomaly; {@code open} says whether an alert stays open.
     */
    public static PointResult skipped(
            long timestampMillis, double value, PointStatus status, boolean open) {
        return new PointResult(
                timestampMillis,
                value,
                status,
                BaselineKind.NONE,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0.0,
                null,
                false,
                false,
                open,
                Double.NaN,
                Double.NaN);
    }
}
