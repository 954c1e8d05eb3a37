package io.beaconflow.jobs.metrics;

/**
 * A web vital's values in one window rated on web.dev's thresholds ({@link Outcomes#rate}):
 * weighted counts of good, needs-improvement and poor values, and each one's share of the rated
 * ({@code null} when none was rated).
 *
 * <p>One class for the five rated vitals of a row; in the row's document the fields stand flat with
 * the vital's prefix ({@code lcp_good}, {@code lcp_poor_share}), unwrapped by {@link
 * MetricAggregate} so the document did not change. A Flink POJO.
 */
public class Ratings {
    public double good;
    public double needsImprovement;
    public double poor;
    public Double goodShare;
    public Double needsImprovementShare;
    public Double poorShare;

    public Ratings() {}

    /** The counts of vital {@code m} from the {@link Outcomes} slots, and their shares. */
    void set(double[] outcomes, LatencyMetric m) {
        good = outcomes[Outcomes.ratingSlot(m, Outcomes.GOOD_RATING)];
        needsImprovement = outcomes[Outcomes.ratingSlot(m, Outcomes.NEEDS_IMPROVEMENT)];
        poor = outcomes[Outcomes.ratingSlot(m, Outcomes.POOR_RATING)];
        double rated = good + needsImprovement + poor;
        goodShare = rated > 0 ? good / rated : null;
        needsImprovementShare = rated > 0 ? needsImprovement / rated : null;
        poorShare = rated > 0 ? poor / rated : null;
    }

    /**
     * The share of {@link Outcomes#GOOD_RATING}, {@code NEEDS_IMPROVEMENT} or {@code POOR_RATING}.
     */
    Double share(int rating) {
        return rating == Outcomes.GOOD_RATING
                ? goodShare
                : rating == Outcomes.NEEDS_IMPROVEMENT ? needsImprovementShare : poorShare;
    }

    /** A copy, for a row copied field by field. */
    public Ratings copy() {
        Ratings c = new Ratings();
        c.good = good;
        c.needsImprovement = needsImprovement;
        c.poor = poor;
        c.goodShare = goodShare;
        c.needsImprovementShare = needsImprovementShare;
        c.poorShare = poorShare;
        return c;
    }
}
