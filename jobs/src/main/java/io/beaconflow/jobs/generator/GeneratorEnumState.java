package io.beaconflow.jobs.generator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Checkpointed state of the {@link GeneratorEnumerator}: the splits not (or no longer) assigned to
 * a reader. Assigned splits live in the readers' state.
 */
public final class GeneratorEnumState {
    private final List<GeneratorSplit> pending;

    public GeneratorEnumState(List<GeneratorSplit> pending) {
        this.pending = List.copyOf(pending);
    }

    public List<GeneratorSplit> pending() {
        return pending;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratorEnumState && ((GeneratorEnumState) o).pending.equals(pending);
    }

    @Override
    public int hashCode() {
        return pending.hashCode();
    }

    @Override
    public String toString() {
        return "GeneratorEnumState" + pending;
    }

    /** Version 1: int n, then n splits as in {@link GeneratorSplit.Serializer}. */
    public static final class Serializer implements SimpleVersionedSerializer<GeneratorEnumState> {
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(GeneratorEnumState state) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(state.pending.size());
                for (GeneratorSplit s : state.pending) GeneratorSplit.Serializer.write(out, s);
            }
            return bytes.toByteArray();
        }

        @Override
        public GeneratorEnumState deserialize(int version, byte[] serialized) throws IOException {
            GeneratorSplit.Serializer.checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                List<GeneratorSplit> splits = new ArrayList<>(n);
                for (int i = 0; i < n; i++) splits.add(GeneratorSplit.Serializer.read(in));
                return new GeneratorEnumState(splits);
            }
        }
    }
}
