package io.beaconflow.jobs.metrics;

/**
 * The incremental part of the metrics window: folds each {@link SeriesSample} into a {@link
 * MetricAccumulator} as it arrives (no buffer of events), and turns the accumulator into counts,
 * rates and percentiles when the window fires ({@link AccumulatingAggregate}).
 */
public class MetricAggregator extends AccumulatingAggregate<SeriesSample> {
    private static final long serialVersionUID = 1L;

    public MetricAggregator(double relativeAccuracy) {
        super(relativeAccuracy);
    }

    @Override
    public MetricAccumulator add(SeriesSample sample, MetricAccumulator acc) {
        acc.add(sample);
        return acc;
    }
}
