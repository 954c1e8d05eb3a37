package io.beaconflow.jobs.metrics;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * The incremental part of the metrics window: folds each {@link SeriesSample} into a {@link
 * MetricAccumulator} as it arrives (no buffer of events), and turns the accumulator into counts,
 * rates and percentiles when the window fires.
 */
public class MetricAggregator
        implements AggregateFunction<SeriesSample, MetricAccumulator, MetricAggregate> {
    private static final long serialVersionUID = 1L;

    private final double relativeAccuracy;

    public MetricAggregator(double relativeAccuracy) {
        this.relativeAccuracy = relativeAccuracy;
    }

    @Override
    public MetricAccumulator createAccumulator() {
        return new MetricAccumulator(relativeAccuracy);
    }

    @Override
    public MetricAccumulator add(SeriesSample sample, MetricAccumulator acc) {
        acc.add(sample);
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
