package io.beaconflow.detectors;

/**
 * Which baseline answered for a point. The cold-start ladder is SEASONAL → EWMA → STATIC → NONE:
 * the most specific baseline with enough history answers, so a dashboard can show why a band is
 * wide or missing.
 */
public enum BaselineKind {
    /** Same slot (time-of-day or hour-of-week) in past periods. */
    SEASONAL,
    /** Exponentially weighted mean and variance of recent points. */
    EWMA,
    /** The fixed budget from the spec's {@code static} section. */
    STATIC,
    /** Not enough history and no static budget: the point is not judged. */
    NONE
}
