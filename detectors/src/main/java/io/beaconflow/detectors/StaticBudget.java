package io.beaconflow.detectors;

/**
 * The {@code static:} section of a detector spec: fixed limits that judge a series while no
 * baseline answers yet (cold start), such as "alert above a 5 % error rate".
 *
 * @param expected the value drawn as expected while the budget judges (NaN = none)
 * @param lower alert below this (NaN = no lower limit)
 * @param upper alert above this (NaN = no upper limit)
 */
public record StaticBudget(double expected, double lower, double upper) {
    /** True when at least one limit is configured. */
    public boolean configured() {
        return !Double.isNaN(lower) || !Double.isNaN(upper);
    }

    /** This section's part of {@link DetectorSpec#toString()} (the spec's identity). */
    String identity() {
        return ", static=[" + lower + ", " + expected + ", " + upper + "]";
    }
}
