package io.beaconflow.jobs.metrics;

/**
 * The accumulator of one series in one window, with its window: what {@link MetricWindowFunction}
 * hands to the comparison stage ({@link MetricWindowFunction#COMPARED_SERIES}) for the variant and
 * release series, so experiments and releases are compared from the same sketches as the metric
 * rows, without a second aggregation of the events. A Flink POJO; the accumulator is serialized by
 * its own serializer, never Kryo.
 */
public class SeriesWindow {
    public String app;

    /** {@code variant} or {@code release}. */
    public String dimension;

    /** {@code experiment=variant}, or the release. */
    public String value;

    public long windowStart;
    public long windowEnd;

    /** 0 at the watermark, +1 per late update (each carries the window's full aggregate). */
    public int updateSeq;

    public MetricAccumulator acc;

    public SeriesWindow() {}

    @Override
    public String toString() {
        return "SeriesWindow{"
                + app
                + "|"
                + dimension
                + "|"
                + value
                + " @"
                + windowStart
                + " seq="
                + updateSeq
                + "}";
    }
}
