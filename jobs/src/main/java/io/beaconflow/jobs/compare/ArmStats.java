package io.beaconflow.jobs.compare;

/**
 * What one arm (a variant, or a release) brings to a comparison, in received (unweighted) units:
 * page views and JS errors, fetches and failed fetches, and the binned latency distributions. Plain
 * Java: built by the Flink operator from the metric stage's accumulators, and by tests directly.
 */
public final class ArmStats {
    public long pageViews;
    public long jsErrors;
    public long fetches;
    public long fetchFailures;

    /** Per {@link ComparedMetric#latencyIndex}: null when the arm has no value of it. */
    public final Binned[] latency = new Binned[ComparedMetric.LATENCIES];
}
