package io.beaconflow.jobs.detection;

import static io.beaconflow.jobs.state.Varints.readVarInt;
import static io.beaconflow.jobs.state.Varints.readVarLong;
import static io.beaconflow.jobs.state.Varints.unzigzag;
import static io.beaconflow.jobs.state.Varints.varLongSize;
import static io.beaconflow.jobs.state.Varints.writeVarInt;
import static io.beaconflow.jobs.state.Varints.writeVarLong;
import static io.beaconflow.jobs.state.Varints.zigzag;

import io.beaconflow.detectors.DetectorState;
import io.beaconflow.jobs.model.MutableTypeSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A compact serializer for {@link DetectorState}, the detector stage's state per series and metric
 * (about 4-10 KB each, 70-90 KB per series with its 15-17 watched metrics, read and written whole
 * for every row on RocksDB).
 *
 * <p>Why not Flink's POJO serializer: it writes every long in 8 bytes, every array in full, and
 * reads each of the ~55 fields by reflection. Here: counts as varints (the eight skip counters are
 * almost always 0: one byte each); an array as null, all zeros (its length only: a latency's
 * pooled-event rings, which only proportions fill), or its values; a long array as zig-zag varints
 * when that is shorter (the seasonal slots' counts and periods: 1-3 bytes instead of 8; session
 * bitmaps stay 8 bytes). Doubles are written exactly, so a restored state scores exactly as before.
 *
 * <p>Format 1, in order: the version byte, the scalars in {@link DetectorState}'s declaration order
 * (doubles as 8 bytes, ints and longs as zig-zag varints, the last timestamp as 8 bytes), then the
 * arrays in declaration order, each a tag ({@link #NULL}, {@link #ZEROS}, {@link #RAW} or, for long
 * arrays, {@link #VARINT}) and its length. {@code DetectorStateSerializerTest} round-trips every
 * public field (so a field added to {@link DetectorState} without a place here fails it) and pins
 * the bytes of one state.
 *
 * <p>Savepoints from before this serializer hold the state with Flink's POJO serializer: {@link
 * Snapshot} declares them compatible after migration, and Flink reads them with the POJO serializer
 * and writes them in this format on restore (RocksDB and heap; docs/cluster.md).
 */
public final class DetectorStateSerializer extends MutableTypeSerializer<DetectorState> {
    private static final long serialVersionUID = 1L;

    public static final DetectorStateSerializer INSTANCE = new DetectorStateSerializer();

    private static final int FORMAT = 1;

    static final int NULL = 0;
    static final int ZEROS = 1;
    static final int RAW = 2;
    static final int VARINT = 3;

    @Override
    public DetectorState createInstance() {
        return new DetectorState();
    }

    @Override
    public DetectorState copy(DetectorState from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(4096);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a detector state", e);
        }
    }

    @Override
    public void serialize(DetectorState s, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(s.lastTimestamp);
        writeLong(out, s.accepted);
        writeLong(out, s.ewmaCount);
        out.writeDouble(s.ewmaMean);
        out.writeDouble(s.ewmaVar);
        out.writeDouble(s.ewVolume);
        out.writeDouble(s.ewSamplingVar);
        out.writeDouble(s.fastMean);
        writeLong(out, s.fastCount);
        out.writeDouble(s.peakDeviation);
        writeLong(out, s.seasonalSlots);
        out.writeDouble(s.seasonalResidualVar);
        writeLong(out, s.seasonalResidualCount);
        writeLong(out, s.evidenceWritten);
        writeLong(out, s.evidencePendingWritten);
        writeLong(out, s.evidencePendingCount);
        out.writeDouble(s.driftReference);
        out.writeDouble(s.driftLevel);
        writeLong(out, s.driftCount);
        out.writeDouble(s.driftM2);
        writeLong(out, s.driftM2Count);
        writeLong(out, s.outlierRun);
        writeLong(out, s.anomalyRun);
        writeLong(out, s.normalRun);
        out.writeBoolean(s.alertOpen);
        writeLong(out, s.cooldownLeft);
        writeLong(out, s.skippedNaN);
        writeLong(out, s.skippedInfinite);
        writeLong(out, s.skippedNegative);
        writeLong(out, s.skippedOutOfRange);
        writeLong(out, s.skippedMissingDenominator);
        writeLong(out, s.skippedNoVolume);
        writeLong(out, s.skippedOutOfOrder);
        writeLong(out, s.skippedDuplicate);
        out.writeDouble(s.bodyGap);
        writeLong(out, s.bodyGapCount);

        write(out, s.slotMean);
        write(out, s.slotVar);
        write(out, s.slotCount);
        write(out, s.slotPeriods);
        write(out, s.slotLastPeriod);
        write(out, s.slotPointsPerPeriod);
        write(out, s.slotPointsThisPeriod);
        write(out, s.slotHistory);
        write(out, s.slotHistoryWritten);
        write(out, s.evidenceResidual);
        write(out, s.evidenceShift);
        write(out, s.evidenceWeight);
        write(out, s.evidenceCenter);
        write(out, s.evidenceVolume);
        write(out, s.evidenceEvents);
        write(out, s.evidenceNullEvents);
        write(out, s.evidenceSessions);
        write(out, s.evidenceZ2);
        write(out, s.evidenceZ2Count);
        write(out, s.evidenceZ2Pending);
    }

    @Override
    public DetectorState deserialize(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown DetectorState format " + format);
        }
        DetectorState s = new DetectorState();
        s.lastTimestamp = in.readLong();
        s.accepted = readLong(in);
        s.ewmaCount = readLong(in);
        s.ewmaMean = in.readDouble();
        s.ewmaVar = in.readDouble();
        s.ewVolume = in.readDouble();
        s.ewSamplingVar = in.readDouble();
        s.fastMean = in.readDouble();
        s.fastCount = readLong(in);
        s.peakDeviation = in.readDouble();
        s.seasonalSlots = readInt(in);
        s.seasonalResidualVar = in.readDouble();
        s.seasonalResidualCount = readLong(in);
        s.evidenceWritten = readLong(in);
        s.evidencePendingWritten = readLong(in);
        s.evidencePendingCount = readInt(in);
        s.driftReference = in.readDouble();
        s.driftLevel = in.readDouble();
        s.driftCount = readLong(in);
        s.driftM2 = in.readDouble();
        s.driftM2Count = readLong(in);
        s.outlierRun = readInt(in);
        s.anomalyRun = readInt(in);
        s.normalRun = readInt(in);
        s.alertOpen = in.readBoolean();
        s.cooldownLeft = readInt(in);
        s.skippedNaN = readLong(in);
        s.skippedInfinite = readLong(in);
        s.skippedNegative = readLong(in);
        s.skippedOutOfRange = readLong(in);
        s.skippedMissingDenominator = readLong(in);
        s.skippedNoVolume = readLong(in);
        s.skippedOutOfOrder = readLong(in);
        s.skippedDuplicate = readLong(in);
        s.bodyGap = in.readDouble();
        s.bodyGapCount = readLong(in);

        s.slotMean = readDoubles(in);
        s.slotVar = readDoubles(in);
        s.slotCount = readLongs(in);
        s.slotPeriods = readLongs(in);
        s.slotLastPeriod = readLongs(in);
        s.slotPointsPerPeriod = readLongs(in);
        s.slotPointsThisPeriod = readLongs(in);
        s.slotHistory = readDoubles(in);
        s.slotHistoryWritten = readLongs(in);
        s.evidenceResidual = readDoubles(in);
        s.evidenceShift = readDoubles(in);
        s.evidenceWeight = readDoubles(in);
        s.evidenceCenter = readDoubles(in);
        s.evidenceVolume = readDoubles(in);
        s.evidenceEvents = readDoubles(in);
        s.evidenceNullEvents = readDoubles(in);
        s.evidenceSessions = readLongs(in);
        s.evidenceZ2 = readDoubles(in);
        s.evidenceZ2Count = readLongs(in);
        s.evidenceZ2Pending = readDoubles(in);
        return s;
    }

    private static void writeLong(DataOutputView out, long v) throws IOException {
        writeVarLong(out, zigzag(v));
    }

    private static long readLong(DataInputView in) throws IOException {
        return unzigzag(readVarLong(in));
    }

    private static int readInt(DataInputView in) throws IOException {
        return Math.toIntExact(readLong(in));
    }

    private static void write(DataOutputView out, double[] a) throws IOException {
        if (a == null) {
            out.writeByte(NULL);
            return;
        }
        boolean zeros = true;
        for (double v : a) {
            // Exactly +0.0: -0.0 and NaN are kept as they are.
            if (Double.doubleToRawLongBits(v) != 0) {
                zeros = false;
                break;
            }
        }
        out.writeByte(zeros ? ZEROS : RAW);
        writeVarInt(out, a.length);
        if (!zeros) {
            for (double v : a) out.writeDouble(v);
        }
    }

    private static double[] readDoubles(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        if (tag == NULL) return null;
        double[] a = new double[readVarInt(in)];
        if (tag == RAW) {
            for (int i = 0; i < a.length; i++) a[i] = in.readDouble();
        } else if (tag != ZEROS) {
            throw new IOException("unknown double array tag " + tag);
        }
        return a;
    }

    private static void write(DataOutputView out, long[] a) throws IOException {
        if (a == null) {
            out.writeByte(NULL);
            return;
        }
        long varint = 0;
        boolean zeros = true;
        for (long v : a) {
            zeros &= v == 0;
            varint += varLongSize(zigzag(v));
        }
        int tag = zeros ? ZEROS : varint < 8L * a.length ? VARINT : RAW;
        out.writeByte(tag);
        writeVarInt(out, a.length);
        if (tag == VARINT) {
            for (long v : a) writeVarLong(out, zigzag(v));
        } else if (tag == RAW) {
            for (long v : a) out.writeLong(v);
        }
    }

    private static long[] readLongs(DataInputView in) throws IOException {
        int tag = in.readUnsignedByte();
        if (tag == NULL) return null;
        long[] a = new long[readVarInt(in)];
        if (tag == VARINT) {
            for (int i = 0; i < a.length; i++) a[i] = unzigzag(readVarLong(in));
        } else if (tag == RAW) {
            for (int i = 0; i < a.length; i++) a[i] = in.readLong();
        } else if (tag != ZEROS) {
            throw new IOException("unknown long array tag " + tag);
        }
        return a;
    }

    @Override
    public TypeSerializerSnapshot<DetectorState> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Snapshot for savepoint compatibility; the format version lives in the data. A state written
     * by Flink's POJO serializer (savepoints from before this serializer) is compatible after
     * migration: Flink reads it with the POJO serializer restored from its own snapshot and writes
     * it again with this one.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<DetectorState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<DetectorState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<DetectorState> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSerializerSnapshot);
        }
    }
}
