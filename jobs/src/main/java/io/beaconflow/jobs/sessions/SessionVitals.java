package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The web vitals of one session piece: per vital, how many values and the {@value #MAX_VALUES}
 * largest in descending order, as int units (ms; 1/10000 for CLS). Worst is the largest; p75
 * (nearest rank) needs only the top quarter, so it is exact up to 128 values of one vital and above
 * that reports the smallest kept value, an overestimate. Owns its add, merge, copy and its section
 * of {@link SessionStateSerializer}'s format 1.
 */
public final class SessionVitals {
    static final int LCP = 0;
    static final int INP = 1;
    static final int CLS = 2;
    static final int FCP = 3;
    static final int TTFB = 4;
    static final int COUNT = 5;
    static final int CLS_SCALE = 10_000;
    static final int MAX_VALUES = 32;

    /** Values seen per vital. */
    public int[] count = new int[COUNT];

    /** Per vital, the largest values, descending; null until the first value. */
    public int[][] top = new int[COUNT][];

    public SessionVitals() {}

    static int index(String name) {
        if (name == null) return -1;
        switch (name) {
            case "LCP":
                return LCP;
            case "INP":
                return INP;
            case "CLS":
                return CLS;
            case "FCP":
                return FCP;
            case "TTFB":
                return TTFB;
            default:
                return -1;
        }
    }

    /** Adds a value as the event carries it; unknown vitals and invalid values are ignored. */
    void add(String name, Double value) {
        int v = index(name);
        if (v < 0 || value == null || value.isNaN() || value < 0) return;
        double scaled = v == CLS ? value * CLS_SCALE : value;
        int units = scaled >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.round(scaled);
        insert(v, units);
        count[v]++;
    }

    /** Inserts into the descending top list of vital {@code v} (before its count grows). */
    private void insert(int v, int units) {
        int kept = Math.min(count[v], MAX_VALUES);
        int[] t = top[v];
        if (kept == MAX_VALUES && units <= t[kept - 1]) return;
        if (t == null) {
            t = top[v] = new int[4];
        } else if (kept == t.length && kept < MAX_VALUES) {
            t = top[v] = Arrays.copyOf(t, Math.min(MAX_VALUES, kept * 2));
        }
        int at = Math.min(kept, MAX_VALUES - 1);
        while (at > 0 && t[at - 1] < units) {
            t[at] = t[at - 1];
            at--;
        }
        t[at] = units;
    }

    int kept(int v) {
        return Math.min(count[v], MAX_VALUES);
    }

    /** Worst (largest) value in units, or -1. */
    int worst(int v) {
        return count[v] == 0 ? -1 : top[v][0];
    }

    /** Nearest-rank p75 in units, or -1. */
    int p75(int v) {
        int n = count[v];
        if (n == 0) return -1;
        int rank = (int) Math.ceil(0.75 * n); // 1-based, ascending
        int fromTop = n - rank; // 0-based, descending
        return top[v][Math.min(fromTop, kept(v) - 1)];
    }

    void merge(SessionVitals o) {
        for (int v = 0; v < COUNT; v++) {
            int kept = o.kept(v);
            for (int i = 0; i < kept; i++) {
                insert(v, o.top[v][i]);
                count[v]++;
            }
            count[v] += o.count[v] - kept;
        }
    }

    SessionVitals copy() {
        SessionVitals c = new SessionVitals();
        c.count = count.clone();
        for (int v = 0; v < COUNT; v++) {
            if (top[v] != null) c.top[v] = top[v].clone();
        }
        return c;
    }

    boolean sameAs(SessionVitals o) {
        if (!Arrays.equals(count, o.count)) return false;
        for (int v = 0; v < COUNT; v++) {
            for (int i = 0; i < kept(v); i++) {
                if (top[v][i] != o.top[v][i]) return false;
            }
        }
        return true;
    }

    /** Per vital: the count, then the kept values as the first and non-negative steps down. */
    void write(DataOutputView out) throws IOException {
        for (int v = 0; v < COUNT; v++) {
            writeVarInt(out, count[v]);
            int kept = kept(v);
            int prev = 0;
            for (int i = 0; i < kept; i++) {
                int x = top[v][i];
                writeVarInt(out, i == 0 ? x : prev - x);
                prev = x;
            }
        }
    }

    static SessionVitals read(DataInputView in) throws IOException {
        SessionVitals s = new SessionVitals();
        for (int v = 0; v < COUNT; v++) {
            s.count[v] = readVarInt(in);
            int kept = s.kept(v);
            if (kept > 0) {
                int[] t = new int[kept];
                for (int i = 0; i < kept; i++) {
                    int x = readVarInt(in);
                    t[i] = i == 0 ? x : t[i - 1] - x;
                }
                s.top[v] = t;
            }
        }
        return s;
    }
}
