package io.beaconflow.detectors;

/** Which deviations a detector reports: only increases, only decreases, or both. */
public enum Direction {
    UP,
    DOWN,
    BOTH;

    /** True when a signed deviation {@code delta} is of a kind this direction reports. */
    public boolean accepts(double delta) {
        switch (this) {
            case UP:
                return delta > 0;
            case DOWN:
                return delta < 0;
            default:
                return delta != 0;
        }
    }
}
