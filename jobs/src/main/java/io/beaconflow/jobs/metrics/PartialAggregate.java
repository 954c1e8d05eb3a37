package io.beaconflow.jobs.metrics;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What {@link LocalPreAggregator} sends through the shuffle: one subtask's accumulator for one
 * series in one window (the record's timestamp is the window's last millisecond). Serialized by
 * {@link PartialAggregateSerializer}: the key, then the accumulator in {@link
 * MetricAccumulatorSerializer}'s format.
 *
 * <p>Sent, its accumulator holds sketches ({@link MetricAccumulator#forPartial}); received, it
 * holds the sketches' encodings in {@link #encoded} instead, which {@link PartialMerger} decodes
 * straight into the window's sketches (no store built for a partial that is merged at once).
 */
@TypeInfo(PartialAggregateTypeInfo.Factory.class)
public class PartialAggregate {
    public String key;
    public MetricAccumulator acc;

    /**
     * Per {@link LatencyMetric}, the encoding of the partial's sketch, when received; {@code null}
     * when {@link #acc} holds the sketches.
     */
    byte[][] encoded;

    public PartialAggregate() {}

    public PartialAggregate(String key, MetricAccumulator acc) {
        this.key = key;
        this.acc = acc;
    }

    PartialAggregate(String key, MetricAccumulator acc, byte[][] encoded) {
        this.key = key;
        this.acc = acc;
        this.encoded = encoded;
    }

    /** Adds this partial into a window's accumulator. */
    public void mergeInto(MetricAccumulator window) {
        window.merge(acc);
        if (encoded != null) {
            for (int m = 0; m < encoded.length; m++) {
                if (encoded[m] != null) {
                    window.mergeEncoded(m, encoded[m], acc.counts[m]);
                }
            }
        }
    }
}
