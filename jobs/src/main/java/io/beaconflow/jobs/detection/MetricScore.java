package io.beaconflow.jobs.detection;

/**
 * The detector's verdict on one metric of one aggregate row, in the shape dashboards draw: the
 * observed value, the expected value and the band at the z threshold. NaN from the detector becomes
 * {@code null} (JSON has no NaN; Elasticsearch would reject it). A Flink POJO.
 */
public class MetricScore {
    public Double value;

    /** Views behind a rate, samples behind a percentile; null for throughput. */
    public Double denominator;

    public Double expected;
    public Double lower;
    public Double upper;
    public Double z;

    /**
     * This window's own deviation and standard error on the detector's working scale (log for
     * latency, the rate for error rates, Anscombe's square root for counts); null without a
     * statistical baseline. {@code z} may be a pooled verdict over several windows, these never
     * are: the alert stage compares a segment's change with its parent's on them.
     */
    public Double residual;

    public Double spread;

    /** Severity in [0, 1]; {@code >= 0.5} exactly when {@link #anomaly}. */
    public double score;

    public boolean anomaly;

    /** {@code up}, {@code down} or null. */
    public String direction;

    /** Which baseline answered: {@code ewma}, {@code seasonal}, {@code static} or {@code none}. */
    public String baseline;

    /** {@code scored} or why the point was skipped ({@code skipped_no_volume}, ...). */
    public String status;

    public MetricScore() {}

    static Double finite(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
