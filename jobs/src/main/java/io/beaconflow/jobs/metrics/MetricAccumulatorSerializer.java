package io.beaconflow.jobs.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import io.beaconflow.jobs.model.MutableTypeSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer for {@link MetricAccumulator}.
 *
 * <p>Format (version 1): relative accuracy, the five weighted counts, the sample count, a bit mask
 * of the metrics that have a sketch, then per such metric its value count and its DDSketch in the
 * library's own compact binary encoding (varint bin indexes and counts, {@link DDSketch#encode})
 * without the index mapping, which follows from the relative accuracy written once. A sketch with a
 * few hundred distinct bins takes a few hundred bytes; an empty metric takes none.
 *
 * <p>Version 2 appends the {@link Outcomes} counts: a bit mask of the non-zero slots, then those
 * slots' weighted counts. It is marked by writing the relative accuracy negated (version 1 always
 * wrote it positive, in (0, 1)), so state written by version 1 still restores: its outcome counts
 * read as zero. The snapshot class stays the same for that reason.
 *
 * <p>Version 3 appends the session bitmap ({@link MetricAccumulator#sessionBits}) as one long after
 * the outcome counts, when it is not zero, marked by bit 31 of the outcome mask (no outcome slot
 * reaches it), so versions 1 and 2 still restore, with no visitors known.
 *
 * <p>Stateless, hence a singleton; {@link Snapshot} lets a savepoint's reader check the format.
 */
public final class MetricAccumulatorSerializer extends MutableTypeSerializer<MetricAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final MetricAccumulatorSerializer INSTANCE = new MetricAccumulatorSerializer();

    @Override
    public MetricAccumulator createInstance() {
        return new MetricAccumulator(MetricsConfig.DEFAULT_SKETCH_RELATIVE_ACCURACY);
    }

    @Override
    public MetricAccumulator copy(MetricAccumulator from) {
        return from.copy();
    }

    @Override
    public void serialize(MetricAccumulator a, DataOutputView out) throws IOException {
        serialize(a, null, out);
    }

    /**
     * The same format; a metric's sketch comes from {@code encoded[m]} (its encoding, as {@link
     * #deserialize(DataInputView, byte[][])} kept it) where {@code encoded} has one, else from the
     * accumulator's sketch. For {@link PartialAggregateSerializer}.
     */
    static void serialize(MetricAccumulator a, byte[][] encoded, DataOutputView out)
            throws IOException {
        out.writeDouble(-a.relativeAccuracy); // negative: version 2 (outcomes follow)
        out.writeDouble(a.pageViews);
        out.writeDouble(a.events);
        out.writeDouble(a.fetches);
        out.writeDouble(a.failedFetches);
        out.writeDouble(a.jsErrors);
        out.writeLong(a.samples);
        int mask = 0;
        for (int m = 0; m < MetricAccumulator.METRICS; m++) {
            if (a.sketches[m] != null || (encoded != null && encoded[m] != null)) {
                mask |= 1 << m;
            }
        }
        out.writeByte(mask);
        for (int m = 0; m < MetricAccumulator.METRICS; m++) {
            if (encoded != null && encoded[m] != null) {
                out.writeLong(a.counts[m]);
                out.writeInt(encoded[m].length);
                out.write(encoded[m]);
            } else if (a.sketches[m] != null) {
                out.writeLong(a.counts[m]);
                GrowingByteArrayOutput buf = GrowingByteArrayOutput.withInitialCapacity(256);
                a.sketches[m].encode(buf, true);
                out.writeInt(buf.numWrittenBytes());
                out.write(buf.backingArray(), 0, buf.numWrittenBytes());
            }
        }
        int outcomeMask = 0;
        for (int i = 0; i < Outcomes.SLOTS; i++) {
            if (a.outcomes[i] != 0) {
                outcomeMask |= 1 << i;
            }
        }
        if (a.sessionBits != 0) {
            outcomeMask |= SESSIONS_FOLLOW;
        }
        out.writeInt(outcomeMask);
        for (int i = 0; i < Outcomes.SLOTS; i++) {
            if (a.outcomes[i] != 0) {
                out.writeDouble(a.outcomes[i]);
            }
        }
        if (a.sessionBits != 0) {
            out.writeLong(a.sessionBits);
        }
    }

    /** Bit of the outcome mask that says a session bitmap follows (version 3). */
    static final int SESSIONS_FOLLOW = 1 << 31;

    @Override
    public MetricAccumulator deserialize(DataInputView in) throws IOException {
        return deserialize(in, null);
    }

    /**
     * Reads the format; with {@code encoded} (one slot per metric) the sketches are not decoded but
     * their encodings kept there, the accumulator's sketches left {@code null} and its {@code
     * counts} set: a partial's sketches are decoded straight into the window's ({@link
     * MetricAccumulator#mergeEncoded}), without a store of their own in between.
     */
    static MetricAccumulator deserialize(DataInputView in, byte[][] encoded) throws IOException {
        double accuracy = in.readDouble();
        boolean v2 = accuracy < 0;
        MetricAccumulator a = new MetricAccumulator(Math.abs(accuracy));
        a.pageViews = in.readDouble();
        a.events = in.readDouble();
        a.fetches = in.readDouble();
        a.failedFetches = in.readDouble();
        a.jsErrors = in.readDouble();
        a.samples = in.readLong();
        int mask = in.readUnsignedByte();
        IndexMapping mapping =
                mask == 0 || encoded != null ? null : MetricAccumulator.mapping(a.relativeAccuracy);
        for (int m = 0; m < MetricAccumulator.METRICS; m++) {
            if ((mask & (1 << m)) != 0) {
                a.counts[m] = in.readLong();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                if (encoded != null) {
                    encoded[m] = bytes;
                } else {
                    a.sketches[m] =
                            DDSketch.decode(
                                    ByteArrayInput.wrap(bytes), MetricAccumulator.STORE, mapping);
                }
            }
        }
        if (v2) {
            int outcomeMask = in.readInt();
            for (int i = 0; i < 31; i++) {
                if ((outcomeMask & (1 << i)) != 0) {
                    double v = in.readDouble();
                    if (i < Outcomes.SLOTS) {
                        a.outcomes[i] = v; // slots of a newer version are skipped
                    }
                }
            }
            if ((outcomeMask & SESSIONS_FOLLOW) != 0) {
                a.sessionBits = in.readLong();
            }
        }
        return a;
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        // Fixed part: six doubles and a long; the sign of the first names the version.
        double accuracy = in.readDouble();
        out.writeDouble(accuracy);
        out.write(in, 6 * Long.BYTES);
        int mask = in.readUnsignedByte();
        out.writeByte(mask);
        for (int m = 0; m < MetricAccumulator.METRICS; m++) {
            if ((mask & (1 << m)) != 0) {
                out.writeLong(in.readLong());
                int len = in.readInt();
                out.writeInt(len);
                out.write(in, len);
            }
        }
        if (accuracy < 0) {
            int outcomeMask = in.readInt();
            out.writeInt(outcomeMask);
            // Outcome doubles, then the session bitmap's long: eight bytes per set bit either way.
            out.write(in, Integer.bitCount(outcomeMask) * Double.BYTES);
        }
    }

    @Override
    public TypeSerializerSnapshot<MetricAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The sketch's encoding, or {@code null} for no sketch (used for equality). */
    static byte[] encode(DDSketch sketch) {
        if (sketch == null) {
            return null;
        }
        GrowingByteArrayOutput buf = GrowingByteArrayOutput.withInitialCapacity(256);
        try {
            sketch.encode(buf, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.trimmedCopy();
    }

    /** Snapshot of the (parameterless) serializer; the version names the data format. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MetricAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
