package io.beaconflow.jobs.metrics;

import io.beaconflow.jobs.model.MutableTypeSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The shuffle's format of a {@link PartialAggregate}: its key, then its accumulator in {@link
 * MetricAccumulatorSerializer}'s format. Reading keeps the sketches encoded ({@link
 * PartialAggregate#encoded}) for {@link PartialMerger} to decode into the window's sketches.
 *
 * <p>Partials exist only between the pre-aggregator and the window (the pre-aggregator sends all it
 * holds before each checkpoint barrier), so no state is written in this format; the snapshot is
 * there because Flink asks every serializer for one.
 */
public final class PartialAggregateSerializer extends MutableTypeSerializer<PartialAggregate> {
    private static final long serialVersionUID = 1L;

    public static final PartialAggregateSerializer INSTANCE = new PartialAggregateSerializer();

    @Override
    public PartialAggregate createInstance() {
        return new PartialAggregate();
    }

    @Override
    public PartialAggregate copy(PartialAggregate from) {
        byte[][] encoded = from.encoded == null ? null : from.encoded.clone();
        return new PartialAggregate(from.key, from.acc == null ? null : from.acc.copy(), encoded);
    }

    @Override
    public void serialize(PartialAggregate p, DataOutputView out) throws IOException {
        StringValue.writeString(p.key, out);
        MetricAccumulatorSerializer.serialize(p.acc, p.encoded, out);
    }

    @Override
    public PartialAggregate deserialize(DataInputView in) throws IOException {
        String key = StringValue.readString(in);
        byte[][] encoded = new byte[MetricAccumulator.METRICS][];
        MetricAccumulator acc = MetricAccumulatorSerializer.deserialize(in, encoded);
        return new PartialAggregate(key, acc, encoded);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        StringValue.copyString(in, out);
        MetricAccumulatorSerializer.INSTANCE.copy(in, out);
    }

    @Override
    public TypeSerializerSnapshot<PartialAggregate> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the (parameterless) serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<PartialAggregate> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
