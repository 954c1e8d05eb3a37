package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readString;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.readVarLong;
import static io.beaconflow.jobs.sessions.StateCodec.unzigzag;
import static io.beaconflow.jobs.sessions.StateCodec.writeString;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarLong;
import static io.beaconflow.jobs.sessions.StateCodec.zigzag;

import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.compare.ComparedMetric;
import io.beaconflow.jobs.compare.ComparisonFunction;
import io.beaconflow.jobs.compare.SessionSummary;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.SeriesFanOut;
import io.beaconflow.jobs.metrics.SeriesSample;
import io.beaconflow.jobs.model.RumEvent;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The piece's data for the comparisons: one {@link SessionSummary} per arm (each experiment
 * assignment {@code experiment=variant}, and the release) the piece's events are in, sent when the
 * piece closes. Until 2026-12 a second per-event keyed operator (SessionSummarizer, uid {@code
 * comparisons-sessions}) kept the same sums in its own state with its own timer per session; the
 * assembler already holds every session and closes it at the same time (last event + gap), so the
 * sums now live here and that operator's state, timer and per-event hashing are gone
 * (docs/benchmarks.md, "Session 2026-12-03 (4)").
 *
 * <p><b>Same counting as before.</b> Each event counts in each arm exactly as the metric rows count
 * it ({@link SeriesFanOut#sampleOf}: kind, configured failing statuses, latency value), bots left
 * out when {@code metrics.exclude-bots}; arms in the metric stage's order (variants sorted by
 * experiment, then the release), at most {@link ArmRules#MAX_ARMS_PER_SESSION}; an arm's start is
 * the record timestamp of its first event, as the old operator took it. An event whose piece has
 * taken no event yet and whose time + gap is already behind the watermark (its session would have
 * been summarized) is left out and counted, as before: with {@code ingest.allowed-lateness} shorter
 * than the gap it does not happen.
 *
 * <p><b>Order independence.</b> Counts are sums; the latency log-sums are sums of doubles in the
 * events' arrival order, the same order the old operator saw them in (same stream, same key).
 *
 * <p><b>State.</b> Kept sorted by (dimension, value), the order summaries are sent in. Section 2 of
 * {@link SessionStateSerializer}'s format 2; a state of format 1 (written before this part existed)
 * reads as not {@link #tracked}: the events it took before the restore were counted by the dropped
 * operator, so the piece sends no summary rather than a partial one (docs/cluster.md).
 */
public final class SessionArms {
    /** Outcome of {@link #add}: counted in this piece. */
    static final int TAKEN = 0;

    /** Outcome of {@link #add}: behind its closed session (see the class comment), left out. */
    static final int AFTER_CLOSE = 1;

    /** Outcome of {@link #add}: left out (bot, comparisons off, untracked piece). */
    static final int SKIPPED = 2;

    private static final String VARIANT = Dimension.VARIANT.configName();
    private static final String RELEASE = Dimension.RELEASE.configName();

    /** The piece keeps summaries (false: comparisons off, or restored from format 1). */
    public boolean tracked;

    /** The piece took an event: the old operator's "state exists" for the late-event rule. */
    public boolean open;

    public int size;

    /** Sorted by (dimension, value); app, session and end are filled in when sent. */
    public SessionSummary[] arms;

    /** Arms not kept because the piece had {@link ArmRules#MAX_ARMS_PER_SESSION} already. */
    transient int ignored;

    public SessionArms() {}

    /**
     * Counts one event.
     *
     * @param ts the event's record timestamp
     * @param gapMs {@code sessions.gap}
     * @param watermark the current watermark
     * @return {@link #TAKEN}, {@link #AFTER_CLOSE} or {@link #SKIPPED}
     */
    int add(RumEvent e, long ts, ArmRules r, long gapMs, long watermark) {
        if (!tracked || r == null) return SKIPPED;
        if ((e.bot && r.excludeBots) || e.app == null || e.sessionId == null) return SKIPPED;
        if (!open && ts + gapMs <= watermark) return AFTER_CLOSE;
        open = true;
        SeriesSample sample = null;
        if (e.experiments != null && !e.experiments.isEmpty()) {
            Map<String, String> sorted =
                    e.experiments instanceof TreeMap ? e.experiments : new TreeMap<>(e.experiments);
            for (Map.Entry<String, String> x : sorted.entrySet()) {
                if (x.getKey() == null || x.getValue() == null) continue;
                String v = x.getKey() + '=' + x.getValue();
                if (!ComparisonFunction.relevant(e.app, VARIANT, v, r.releases)) continue;
                if (sample == null) sample = SeriesFanOut.sampleOf(e, "", r.failing, r.apdexMs);
                count(VARIANT, v, sample, ts);
            }
        }
        String release = e.release;
        if (release != null
                && !release.isEmpty()
                && ComparisonFunction.relevant(e.app, RELEASE, release, r.releases)) {
            if (sample == null) sample = SeriesFanOut.sampleOf(e, "", r.failing, r.apdexMs);
            count(RELEASE, release, sample, ts);
        }
        return TAKEN;
    }

    private void count(String dimension, String value, SeriesSample sample, long ts) {
        int at = find(dimension, value);
        SessionSummary s;
        if (at >= 0) {
            s = arms[at];
        } else {
            if (size >= ArmRules.MAX_ARMS_PER_SESSION) {
                ignored++;
                return;
            }
            s = new SessionSummary(null, dimension, value, null);
            s.start = ts;
            insert(-at - 1, s);
        }
        s.start = Math.min(s.start, ts);
        s.add(sample);
    }

    /** Index of the arm, or -(insertion point) - 1. */
    private int find(String dimension, String value) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(arms[mid], dimension, value);
            if (c < 0) lo = mid + 1;
            else if (c > 0) hi = mid - 1;
            else return mid;
        }
        return -lo - 1;
    }

    /** The old operator's order: its map key dimension + NUL + value, as a string. */
    private static int compare(SessionSummary s, String dimension, String value) {
        int c = s.dimension.compareTo(dimension);
        return c != 0 ? c : s.value.compareTo(value);
    }

    private void insert(int at, SessionSummary s) {
        if (arms == null) arms = new SessionSummary[2];
        if (size == arms.length) arms = Arrays.copyOf(arms, size * 2);
        System.arraycopy(arms, at, arms, at + 1, size - at);
        arms[at] = s;
        size++;
    }

    /** Arms left out for the budget since the last call (for the operator's counter). */
    int takeIgnored() {
        int n = ignored;
        ignored = 0;
        return n;
    }

    /**
     * Sends one summary per arm, in (dimension, value) order, stamped as closed at {@code end}.
     *
     * @param sessionKey the assembler's key (app and session id)
     */
    void send(String app, String sessionKey, long end, Consumer<SessionSummary> out) {
        if (!tracked) return;
        for (int i = 0; i < size; i++) {
            SessionSummary s = arms[i];
            s.app = app;
            s.session = sessionKey;
            s.end = end;
            out.accept(s);
        }
    }

    /** Adds another piece's arms (the merging-window variant in the benchmark). */
    void merge(SessionArms o) {
        tracked &= o.tracked;
        open |= o.open;
        ignored += o.ignored;
        for (int i = 0; i < o.size; i++) {
            SessionSummary x = o.arms[i];
            int at = find(x.dimension, x.value);
            if (at < 0) {
                if (size >= ArmRules.MAX_ARMS_PER_SESSION) {
                    ignored++;
                    continue;
                }
                insert(-at - 1, copyOf(x));
                continue;
            }
            SessionSummary s = arms[at];
            s.start = Math.min(s.start, x.start);
            s.views += x.views;
            s.errors += x.errors;
            s.fetches += x.fetches;
            s.failures += x.failures;
            for (int k = 0; k < ComparedMetric.LATENCIES; k++) {
                s.logSums[k] += x.logSums[k];
                s.counts[k] += x.counts[k];
            }
        }
    }

    SessionArms copy() {
        SessionArms c = new SessionArms();
        c.tracked = tracked;
        c.open = open;
        c.size = size;
        c.ignored = ignored;
        if (arms != null) {
            c.arms = new SessionSummary[arms.length];
            for (int i = 0; i < size; i++) c.arms[i] = copyOf(arms[i]);
        }
        return c;
    }

    private static SessionSummary copyOf(SessionSummary x) {
        SessionSummary s = new SessionSummary(x.app, x.dimension, x.value, x.session);
        s.start = x.start;
        s.end = x.end;
        s.views = x.views;
        s.errors = x.errors;
        s.fetches = x.fetches;
        s.failures = x.failures;
        s.logSums = x.logSums.clone();
        s.counts = x.counts.clone();
        return s;
    }

    boolean sameAs(SessionArms o) {
        if (tracked != o.tracked || open != o.open || size != o.size) return false;
        for (int i = 0; i < size; i++) {
            SessionSummary a = arms[i];
            SessionSummary b = o.arms[i];
            if (!a.dimension.equals(b.dimension)
                    || !a.value.equals(b.value)
                    || a.start != b.start
                    || a.views != b.views
                    || a.errors != b.errors
                    || a.fetches != b.fetches
                    || a.failures != b.failures
                    || !Arrays.equals(a.logSums, b.logSums)
                    || !Arrays.equals(a.counts, b.counts)
                    || !Objects.equals(a.app, b.app)) {
                return false;
            }
        }
        return true;
    }

    // ---- section of SessionStateSerializer's format 2 ----

    private static final int F_OPEN = 1;
    private static final int DIM_VARIANT = 0;
    private static final int DIM_RELEASE = 1;

    /**
     * Flags (open), the number of arms, then per arm: dimension (0 variant, 1 release), value,
     * start (zig-zag from the state's base), views, errors, fetches, failures, and per compared
     * latency the count and, when not 0, the log-sum as a double.
     */
    void write(DataOutputView out, long base) throws IOException {
        out.writeByte(open ? F_OPEN : 0);
        writeVarInt(out, size);
        for (int i = 0; i < size; i++) {
            SessionSummary s = arms[i];
            out.writeByte(RELEASE.equals(s.dimension) ? DIM_RELEASE : DIM_VARIANT);
            writeString(out, s.value);
            writeVarLong(out, zigzag(s.start - base));
            writeVarInt(out, s.views);
            writeVarInt(out, s.errors);
            writeVarInt(out, s.fetches);
            writeVarInt(out, s.failures);
            for (int k = 0; k < ComparedMetric.LATENCIES; k++) {
                writeVarInt(out, s.counts[k]);
                if (s.counts[k] != 0) out.writeDouble(s.logSums[k]);
            }
        }
    }

    static SessionArms read(DataInputView in, long base) throws IOException {
        SessionArms a = new SessionArms();
        a.tracked = true;
        a.open = (in.readUnsignedByte() & F_OPEN) != 0;
        int n = readVarInt(in);
        a.size = n;
        a.arms = n == 0 ? null : new SessionSummary[Math.max(2, n)];
        for (int i = 0; i < n; i++) {
            String dimension = in.readUnsignedByte() == DIM_RELEASE ? RELEASE : VARIANT;
            SessionSummary s = new SessionSummary(null, dimension, readString(in), null);
            s.start = base + unzigzag(readVarLong(in));
            s.views = readVarInt(in);
            s.errors = readVarInt(in);
            s.fetches = readVarInt(in);
            s.failures = readVarInt(in);
            for (int k = 0; k < ComparedMetric.LATENCIES; k++) {
                s.counts[k] = readVarInt(in);
                if (s.counts[k] != 0) s.logSums[k] = in.readDouble();
            }
            a.arms[i] = s;
        }
        return a;
    }
}
