package io.beaconflow.detectors;

/**
 * What the detector did with one input point. Every invalid input has a defined outcome: it is
 * skipped (the state is not touched except for the matching counter in {@link DetectorState}).
 */
public enum PointStatus {
    /** Scored (possibly without a decision while the baseline is {@link BaselineKind#NONE}). */
    SCORED,
    /** The value was NaN (for example an empty CSV cell or 0/0). */
    SKIPPED_NAN,
    /** The value or denominator was infinite. */
    SKIPPED_INFINITE,
    /** The value was negative although the spec does not allow negative values. */
    SKIPPED_NEGATIVE,
    /** A rate outside [0, 1] given to the proportion scorer. */
    SKIPPED_OUT_OF_RANGE,
    /** The proportion scorer needs a denominator and none (NaN) was given. */
    SKIPPED_MISSING_DENOMINATOR,
    /** The denominator was zero or negative: a rate over nothing says nothing. */
    SKIPPED_NO_VOLUME,
    /** The timestamp was earlier than the last accepted one. */
    SKIPPED_OUT_OF_ORDER,
    /** The timestamp equalled the last accepted one (a replay or a duplicate window). */
    SKIPPED_DUPLICATE;

    public boolean isSkipped() {
        return this != SCORED;
    }
}
