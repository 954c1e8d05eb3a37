package io.beaconflow.jobs.generator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One generator partition and how far it has been read: the whole checkpointed state of a split is
 * (index, count, position). Restoring replays the split's generator from its seed and skips {@code
 * position} records without rendering them (see {@link TrafficGenerator#skip(long)}).
 */
public final class GeneratorSplit implements SourceSplit {
    private final int index;
    private final int count;
    private final long position;

    public GeneratorSplit(int index, int count, long position) {
        if (count < 1 || index < 0 || index >= count || position < 0) {
            throw new IllegalArgumentException("bad split " + index + "/" + count + "@" + position);
        }
        this.index = index;
        this.count = count;
        this.position = position;
    }

    public int index() {
        return index;
    }

    public int count() {
        return count;
    }

    /** Records already emitted from this split: the offset of the next one. */
    public long position() {
        return position;
    }

    public GeneratorSplit at(long newPosition) {
        return new GeneratorSplit(index, count, newPosition);
    }

    @Override
    public String splitId() {
        return "generator-" + index + "-of-" + count;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GeneratorSplit)) return false;
        GeneratorSplit s = (GeneratorSplit) o;
        return index == s.index && count == s.count && position == s.position;
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, count, position);
    }

    @Override
    public String toString() {
        return splitId() + "@" + position;
    }

    /** Version 1: int index, int count, long position. */
    public static final class Serializer implements SimpleVersionedSerializer<GeneratorSplit> {
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(GeneratorSplit split) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                write(out, split);
            }
            return bytes.toByteArray();
        }

        @Override
        public GeneratorSplit deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                return read(in);
            }
        }

        static void write(DataOutputStream out, GeneratorSplit split) throws IOException {
            out.writeInt(split.index);
            out.writeInt(split.count);
            out.writeLong(split.position);
        }

        static GeneratorSplit read(DataInputStream in) throws IOException {
            return new GeneratorSplit(in.readInt(), in.readInt(), in.readLong());
        }

        static void checkVersion(int version) throws IOException {
            if (version != 1) {
                throw new IOException(
                        "generator split state version "
                                + version
                                + " is unknown to this build (knows 1)");
            }
        }
    }
}
