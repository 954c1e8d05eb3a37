package io.beaconflow.jobs.compare;

/** The verdict of one metric of one comparison (the {@code verdict} field). */
public final class Verdict {
    private Verdict() {}

    /** Significant after Holm, and the arm is lower (faster, fewer errors) than its control. */
    public static final String BETTER = "better";

    /** Significant after Holm, and the arm is higher (slower, more errors). */
    public static final String WORSE = "worse";

    public static final String NO_DIFFERENCE = "no_difference";

    /** Fewer than {@code comparisons.min-samples-per-arm} in either arm: no test is made. */
    public static final String INSUFFICIENT_DATA = "insufficient_data";
}
