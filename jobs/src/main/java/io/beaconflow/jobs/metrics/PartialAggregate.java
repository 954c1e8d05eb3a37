package io.beaconflow.jobs.metrics;

/**
 * What {@link LocalPreAggregator} sends through the shuffle: one subtask's accumulator for one
 * series in one window (the record's timestamp is the window's last millisecond). A Flink POJO; the
 * accumulator field uses {@link MetricAccumulatorSerializer}.
 */
public class PartialAggregate {
    public String key;
    public MetricAccumulator acc;

    public PartialAggregate() {}

    public PartialAggregate(String key, MetricAccumulator acc) {
        this.key = key;
        this.acc = acc;
    }
}
