package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readSteps;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeSteps;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;

import io.beaconflow.jobs.model.EventType;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A session's timeline: the first {@code timelineSize} entries by (time, type, route, detail), kept
 * sorted so it does not depend on arrival order. Owns its add, merge, copy and its section of
 * {@link SessionStateSerializer}'s format 1 (routes and details as references into the state's
 * string dictionary).
 */
public final class SessionTimeline {
    static final byte PAGE_VIEW = 0;
    static final byte ACTION = 1;
    static final byte ERROR = 2;
    static final byte FETCH = 3;
    static final String[] NAMES = {
        EventType.PAGE_VIEW.wireName(),
        EventType.ACTION.wireName(),
        EventType.ERROR.wireName(),
        EventType.FETCH.wireName()
    };

    public int size;

    /** Time offsets from the state's base. */
    public int[] offset;

    public byte[] type;
    public String[] route;
    public String[] detail;

    public SessionTimeline() {}

    void add(SessionRules r, int off, byte t, String rt, String d) {
        int cap = r.timelineSize;
        if (cap == 0) return;
        if (offset == null) {
            int initial = Math.min(cap, 8);
            offset = new int[initial];
            type = new byte[initial];
            route = new String[initial];
            detail = new String[initial];
        }
        // Usually events come in order: compare with the last entry first.
        int at = size;
        while (at > 0 && compare(at - 1, off, t, rt, d) > 0) at--;
        if (at >= cap) return;
        if (size == offset.length && size < cap) {
            int n = Math.min(cap, offset.length * 2);
            offset = Arrays.copyOf(offset, n);
            type = Arrays.copyOf(type, n);
            route = Arrays.copyOf(route, n);
            detail = Arrays.copyOf(detail, n);
        }
        int moved = Math.min(size, cap - 1) - at;
        if (moved > 0) {
            System.arraycopy(offset, at, offset, at + 1, moved);
            System.arraycopy(type, at, type, at + 1, moved);
            System.arraycopy(route, at, route, at + 1, moved);
            System.arraycopy(detail, at, detail, at + 1, moved);
        }
        offset[at] = off;
        type[at] = t;
        route[at] = rt;
        detail[at] = d;
        if (size < cap) size++;
    }

    private int compare(int i, int off, byte t, String rt, String d) {
        int c = Integer.compare(offset[i], off);
        if (c != 0) return c;
        c = Byte.compare(type[i], t);
        if (c != 0) return c;
        c = compareNullable(route[i], rt);
        if (c != 0) return c;
        return compareNullable(detail[i], d);
    }

    private static int compareNullable(String a, String b) {
        if (a == null) return b == null ? 0 : -1;
        if (b == null) return 1;
        return a.compareTo(b);
    }

    /** Adds another piece's entries; {@code delta} moves its offsets onto this piece's base. */
    void merge(SessionTimeline o, SessionRules r, int delta) {
        for (int i = 0; i < o.size; i++) {
            add(r, o.offset[i] + delta, o.type[i], o.route[i], o.detail[i]);
        }
    }

    SessionTimeline copy() {
        SessionTimeline c = new SessionTimeline();
        c.size = size;
        if (offset != null) {
            c.offset = offset.clone();
            c.type = type.clone();
            c.route = route.clone();
            c.detail = detail.clone();
        }
        return c;
    }

    boolean sameAs(SessionTimeline o) {
        if (size != o.size) return false;
        for (int i = 0; i < size; i++) {
            if (offset[i] != o.offset[i]
                    || type[i] != o.type[i]
                    || !Objects.equals(route[i], o.route[i])
                    || !Objects.equals(detail[i], o.detail[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Enters every route and detail into the state's dictionary (in entry order, route before
     * detail) and returns their references, {@code [entry][0 = route, 1 = detail]}.
     */
    int[][] refs(List<String> dict) {
        int[][] refs = new int[size][2];
        for (int i = 0; i < size; i++) {
            refs[i][0] = StateCodec.ref(dict, route[i]);
            refs[i][1] = StateCodec.ref(dict, detail[i]);
        }
        return refs;
    }

    /**
     * The count, then per entry the zig-zag step from the previous offset, the route reference with
     * the type in its low two bits (one byte for small sessions), the detail reference.
     */
    void write(DataOutputView out, int[][] refs) throws IOException {
        writeSteps(
                out,
                size,
                offset,
                i -> {
                    writeVarInt(out, (refs[i][0] << 2) | type[i]);
                    writeVarInt(out, refs[i][1]);
                });
    }

    static SessionTimeline read(DataInputView in, String[] dict) throws IOException {
        SessionTimeline t = new SessionTimeline();
        t.size = readVarInt(in);
        if (t.size > 0) {
            t.offset = new int[t.size];
            t.type = new byte[t.size];
            t.route = new String[t.size];
            t.detail = new String[t.size];
            readSteps(
                    in,
                    t.offset,
                    i -> {
                        int packed = readVarInt(in);
                        t.type[i] = (byte) (packed & 3);
                        t.route[i] = StateCodec.deref(dict, packed >>> 2);
                        t.detail[i] = StateCodec.deref(dict, readVarInt(in));
                    });
        }
        return t;
    }
}
