package io.beaconflow.detectors;

/**
 * The working scale a Gaussian scorer measures distances on ({@code transform:} in a spec).
 *
 * <ul>
 *   <li>{@code none}: the value itself.
 *   <li>{@code log}: {@code log(x + log_offset)}, for latencies: "p75 doubled" is the same distance
 *       at 200 ms and at 2 s.
 *   <li>{@code sqrt}: Anscombe's {@code 2·sqrt(x + 3/8)}, for counts. It makes a Poisson count's
 *       variance 1 whatever its mean, and an over-dispersed count's (sessions bring page views in
 *       clusters) a constant φ; it also removes most of a small count's right skew, so a burst of
 *       10 → 27 page views is a modest distance while 40 → 8 (a traffic drop) is a large one.
 *       Measured on generator traffic: page views per minute have a spread of 1.15–1.2 on this
 *       scale from 7 to 170 per minute (docs/detector-quality.md).
 * </ul>
 */
public enum Transform {
    NONE,
    LOG,
    SQRT;

    private static final double ANSCOMBE = 3.0 / 8.0;

    /** The working-scale value of {@code x}. */
    public double apply(double x, double logOffset) {
        return switch (this) {
            case NONE -> x;
            case LOG -> Math.log(x + logOffset);
            case SQRT -> 2 * Math.sqrt(x + ANSCOMBE);
        };
    }

    /** Back to the metric's scale; a working value below the scale's range maps to its bottom. */
    public double invert(double y, double logOffset) {
        return switch (this) {
            case NONE -> y;
            case LOG -> Math.exp(y) - logOffset;
            case SQRT -> y <= 0 ? -ANSCOMBE : (y / 2) * (y / 2) - ANSCOMBE;
        };
    }

    /** Whether {@code x} has a working-scale value. */
    public boolean accepts(double x, double logOffset) {
        return switch (this) {
            case NONE -> true;
            case LOG -> x + logOffset > 0;
            case SQRT -> x + ANSCOMBE >= 0;
        };
    }

    /** Spec text: none, log, sqrt. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
