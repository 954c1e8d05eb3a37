package io.beaconflow.jobs.metrics;

/**
 * Phase two of the two-phase aggregation: the window's incremental function merges the subtasks'
 * {@link PartialAggregate}s; the result is the same as {@link MetricAggregator} over the raw
 * samples (sums are exact, see {@link Weights}, and sketches merge losslessly).
 */
public class PartialMerger extends AccumulatingAggregate<PartialAggregate> {
    private static final long serialVersionUID = 1L;

    public PartialMerger(double relativeAccuracy) {
        super(relativeAccuracy);
    }

    @Override
    public MetricAccumulator add(PartialAggregate partial, MetricAccumulator acc) {
        partial.mergeInto(acc);
        return acc;
    }
}
