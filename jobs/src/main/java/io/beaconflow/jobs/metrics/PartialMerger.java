package io.beaconflow.jobs.metrics;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Phase two of the two-phase aggregation: the window's incremental function merges the subtasks'
 * {@link PartialAggregate}s; the result is the same as {@link MetricAggregator} over the raw
 * samples (sums are exact, see {@link Weights}, and sketches merge losslessly).
 */
public class PartialMerger
        implements AggregateFunction<PartialAggregate, MetricAccumulator, MetricAggregate> {
    private static final long serialVersionUID = 1L;

    private final double relativeAccuracy;

    public PartialMerger(double relativeAccuracy) {
        this.relativeAccuracy = relativeAccuracy;
    }

    @Override
    public MetricAccumulator createAccumulator() {
        return new MetricAccumulator(relativeAccuracy);
    }

    @Override
    public MetricAccumulator add(PartialAggregate partial, MetricAccumulator acc) {
        acc.merge(partial.acc);
        return acc;
    }

    @Override
    public MetricAggregate getResult(MetricAccumulator acc) {
        MetricAggregate a = acc.toAggregate();
        // For MetricWindowFunction only (variant and release series to the comparison stage);
        // it clears the field before the row leaves the window operator.
        a.accumulator = acc;
        return a;
    }

    @Override
    public MetricAccumulator merge(MetricAccumulator a, MetricAccumulator b) {
        a.merge(b);
        return a;
    }
}
