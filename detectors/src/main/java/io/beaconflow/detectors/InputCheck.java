package io.beaconflow.detectors;

/**
 * Which points a detector refuses before scoring, and the counters that say how many: NaN and
 * infinite values, negative values the spec does not allow (or the transform cannot take), rates
 * outside [0, 1] or without a denominator for the proportion scorer, windows without volume, and
 * timestamps that do not increase (out of order or repeated). A refused point leaves every baseline
 * and the alert state alone; it is counted in its own {@code skipped*} field of {@link
 * DetectorState} so that a dashboard shows why a series went quiet instead of guessing. The NAB
 * harness's multi-scale detector refuses with the same rules before it fans a point out.
 */
public final class InputCheck {
    private InputCheck() {}

    /**
     * Why the point is refused, or null when it may be scored.
     *
     * @param lastTimestamp the last accepted point's, {@link Long#MIN_VALUE} before the first
     * @param denominator the window's volume, NaN when the series has none
     */
    public static PointStatus refusal(
            DetectorSpec spec, long lastTimestamp, long ts, double value, double denominator) {
        if (Double.isNaN(value)) {
            return PointStatus.SKIPPED_NAN;
        }
        if (Double.isInfinite(value) || Double.isInfinite(denominator)) {
            return PointStatus.SKIPPED_INFINITE;
        }
        if (value < 0 && !spec.allowNegative()) {
            return PointStatus.SKIPPED_NEGATIVE;
        }
        if (!spec.transform().accepts(value, spec.logOffset())) {
            return PointStatus.SKIPPED_NEGATIVE;
        }
        if (spec.scorer() == ScorerKind.PROPORTION) {
            if (Double.isNaN(denominator)) {
                return PointStatus.SKIPPED_MISSING_DENOMINATOR;
            }
            if (value > 1 || value < 0) {
                return PointStatus.SKIPPED_OUT_OF_RANGE;
            }
        }
        if (!Double.isNaN(denominator) && denominator <= 0) {
            return PointStatus.SKIPPED_NO_VOLUME;
        }
        if (lastTimestamp != Long.MIN_VALUE) {
            if (ts < lastTimestamp) {
                return PointStatus.SKIPPED_OUT_OF_ORDER;
            }
            if (ts == lastTimestamp) {
                return PointStatus.SKIPPED_DUPLICATE;
            }
        }
        return null;
    }

    /** Adds one to the counter of {@code status}, a skip. */
    static void count(DetectorState s, PointStatus status) {
        switch (status) {
            case SKIPPED_NAN -> s.skippedNaN++;
            case SKIPPED_INFINITE -> s.skippedInfinite++;
            case SKIPPED_NEGATIVE -> s.skippedNegative++;
            case SKIPPED_OUT_OF_RANGE -> s.skippedOutOfRange++;
            case SKIPPED_MISSING_DENOMINATOR -> s.skippedMissingDenominator++;
            case SKIPPED_NO_VOLUME -> s.skippedNoVolume++;
            case SKIPPED_OUT_OF_ORDER -> s.skippedOutOfOrder++;
            case SKIPPED_DUPLICATE -> s.skippedDuplicate++;
            default -> throw new IllegalStateException("not a skip: " + status);
        }
    }
}
