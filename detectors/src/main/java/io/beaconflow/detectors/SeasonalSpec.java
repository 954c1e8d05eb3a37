package io.beaconflow.detectors;

import java.time.ZoneId;

/**
 * The {@code seasonal:} section of a detector spec: the slots of the seasonal baseline ({@link
 * io.beaconflow.detectors.baseline.SeasonalBaseline}), which answers before the EWMA once a slot
 * has seen {@code min_seasons} periods.
 *
 * @param period the cycle ({@code seasonal.period}; NONE = no seasonal baseline)
 * @param slotMinutes width of a slot ({@code seasonal.slot_minutes}; divides the period)
 * @param alpha weight of one new period in a slot ({@code seasonal.alpha})
 * @param minSeasons periods a slot must have seen before it answers ({@code seasonal.min_seasons})
 * @param robust median and MAD of the slot's last {@code robustWindow} values instead of its EW
 *     mean and variance ({@code seasonal.robust})
 * @param pooledSpread one residual variance pooled over all slots instead of one per slot ({@code
 *     seasonal.pooled_spread})
 * @param robustWindow values per slot the robust option keeps ({@code seasonal.robust_window})
 * @param timeZone the zone whose local time the slots follow, so a daylight-saving change is not an
 *     anomaly ({@code seasonal.time_zone})
 */
public record SeasonalSpec(
        SeasonalPeriod period,
        int slotMinutes,
        double alpha,
        int minSeasons,
        boolean robust,
        boolean pooledSpread,
        int robustWindow,
        ZoneId timeZone) {
    public static final double DEFAULT_ALPHA = 0.3;
    public static final int DEFAULT_SLOT_MINUTES = 60;
    public static final int DEFAULT_MIN_SEASONS = 3;
    public static final int DEFAULT_ROBUST_WINDOW = 9;

    /** Number of seasonal slots (0 when seasonal is off). */
    public int slotCount() {
        return period == SeasonalPeriod.NONE ? 0 : period.minutes() / slotMinutes;
    }

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return ", seasonal="
                + period
                + "/"
                + slotMinutes
                + "min alpha="
                + alpha
                + " minSeasons="
                + minSeasons
                + " pooled="
                + pooledSpread
                + " robust="
                + robust
                + "/"
                + robustWindow
                + " zone="
                + timeZone;
    }
}
