package io.beaconflow.detectors;

/** Length of the seasonal cycle whose slots the seasonal baseline learns. */
public enum SeasonalPeriod {
    /** No seasonal baseline: EWMA, then static. */
    NONE(0),
    /** Slots by time of day (local time in the configured zone). */
    DAY(24 * 60),
    /** Slots by hour of week (local time in the configured zone), Monday 00:00 first. */
    WEEK(7 * 24 * 60);

    private final int minutes;

    SeasonalPeriod(int minutes) {
        this.minutes = minutes;
    }

    public int minutes() {
        return minutes;
    }
}
