package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readSteps;
import static io.beaconflow.jobs.sessions.StateCodec.readString;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeSteps;
import static io.beaconflow.jobs.sessions.StateCodec.writeString;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The trace ids of a session's fetches: the first {@code maxTraceIds} by (time, id), each once at
 * its earliest time, kept sorted so the set does not depend on arrival order. Owns its add, merge,
 * copy and its section of {@link SessionStateSerializer}'s format 1.
 */
public final class SessionTraces {
    public int size;

    /** Time offsets from the state's base, ascending with {@link #ids}. */
    public int[] offset;

    public String[] ids;

    public SessionTraces() {}

    void add(SessionRules r, int off, String id) {
        if (ids == null) {
            int initial = Math.min(r.maxTraceIds, 4);
            ids = new String[initial];
            offset = new int[initial];
        }
        for (int i = 0; i < size; i++) {
            if (ids[i].equals(id)) {
                if (off >= offset[i]) return;
                remove(i);
                break;
            }
        }
        int cap = r.maxTraceIds;
        int at = size;
        while (at > 0
                && (offset[at - 1] > off
                        || (offset[at - 1] == off && ids[at - 1].compareTo(id) > 0))) {
            at--;
        }
        if (at >= cap) return;
        if (size == ids.length && size < cap) {
            int n = Math.min(cap, ids.length * 2);
            ids = Arrays.copyOf(ids, n);
            offset = Arrays.copyOf(offset, n);
        }
        int moved = Math.min(size, cap - 1) - at;
        if (moved > 0) {
            System.arraycopy(ids, at, ids, at + 1, moved);
            System.arraycopy(offset, at, offset, at + 1, moved);
        }
        ids[at] = id;
        offset[at] = off;
        if (size < cap) size++;
    }

    private void remove(int i) {
        System.arraycopy(ids, i + 1, ids, i, size - i - 1);
        System.arraycopy(offset, i + 1, offset, i, size - i - 1);
        size--;
        ids[size] = null;
    }

    /** Adds another piece's ids; {@code delta} moves its offsets onto this piece's base. */
    void merge(SessionTraces o, SessionRules r, int delta) {
        for (int i = 0; i < o.size; i++) add(r, o.offset[i] + delta, o.ids[i]);
    }

    SessionTraces copy() {
        SessionTraces c = new SessionTraces();
        c.size = size;
        if (ids != null) {
            c.ids = ids.clone();
            c.offset = offset.clone();
        }
        return c;
    }

    boolean sameAs(SessionTraces o) {
        if (size != o.size) return false;
        for (int i = 0; i < size; i++) {
            if (offset[i] != o.offset[i] || !Objects.equals(ids[i], o.ids[i])) return false;
        }
        return true;
    }

    /** The count, then per id the zig-zag step from the previous offset and the id. */
    void write(DataOutputView out) throws IOException {
        writeSteps(out, size, offset, i -> writeString(out, ids[i]));
    }

    static SessionTraces read(DataInputView in) throws IOException {
        SessionTraces t = new SessionTraces();
        t.size = readVarInt(in);
        if (t.size > 0) {
            t.offset = new int[t.size];
            t.ids = new String[t.size];
            readSteps(in, t.offset, i -> t.ids[i] = readString(in));
        }
        return t;
    }
}
