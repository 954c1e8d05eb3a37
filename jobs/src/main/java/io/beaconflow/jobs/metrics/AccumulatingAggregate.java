package io.beaconflow.jobs.metrics;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * What the two incremental functions of the metrics window share: the accumulator (at the sketch
 * accuracy of the config), its merge and its row. They differ only in what they fold in: raw
 * samples ({@link MetricAggregator}) or the subtasks' partial accumulators of the two-phase
 * aggregation ({@link PartialMerger}), so a row is built one way whichever path made it.
 */
public abstract class AccumulatingAggregate<IN>
        implements AggregateFunction<IN, MetricAccumulator, MetricAggregate> {
    private static final long serialVersionUID = 1L;

    private final double relativeAccuracy;

    protected AccumulatingAggregate(double relativeAccuracy) {
        this.relativeAccuracy = relativeAccuracy;
    }

    @Override
    public MetricAccumulator createAccumulator() {
        return new MetricAccumulator(relativeAccuracy);
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
