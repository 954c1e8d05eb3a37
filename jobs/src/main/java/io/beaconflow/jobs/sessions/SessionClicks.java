package io.beaconflow.jobs.sessions;

import static io.beaconflow.jobs.sessions.StateCodec.readSteps;
import static io.beaconflow.jobs.sessions.StateCodec.readVarInt;
import static io.beaconflow.jobs.sessions.StateCodec.writeSteps;
import static io.beaconflow.jobs.sessions.StateCodec.writeVarInt;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The frustration signals of one session piece: the clicks decided so far (rage, error and dead
 * clicks) and a short time-sorted tail of the clicks, errors and effects (page views, fetches) that
 * undecided clicks still need.
 *
 * <p>Rage click: counted once per burst, at the first click on a target that has {@code
 * rageClickCount} clicks on that target within {@code rageClickWindow} ending at it, when the
 * previous click on the same target did not. Error click: a click with a JS error at the same time
 * or within {@code errorClickWindow} after. Dead click: a click followed within {@code
 * deadClickWindow} by no fetch, page view or error. The SDK reports no DOM changes, so a click that
 * only toggles something on the page (a menu, a tab) looks dead: a known false positive, which is
 * why one dead click alone does not make a session {@code frustrated}.
 *
 * <p>A click is decided only once the watermark has passed it by its forward window (the later of
 * the error-click and dead-click windows), when every on-time event that could change the decision
 * has arrived; then the tail is pruned. An event behind the watermark (late) is decided against
 * what the tail still holds: best effort.
 *
 * <p>Owns its add, settle, merge, copy and the tail section of {@link SessionStateSerializer}'s
 * format 1; format 1 writes {@link #settledUpTo} with the state's times and the three counts with
 * its other counts, so the serializer writes those.
 */
public final class SessionClicks {
    /** Tail entry kinds, in the low two bits of a tail code; clicks carry a target hash above. */
    static final int K_EFFECT = 0;

    static final int K_ERROR = 1;
    static final int K_CLICK = 2;

    /** Clicks at or before this time are decided; {@link SessionState#NONE} while none is. */
    public long settledUpTo = SessionState.NONE;

    public int rageClicks;
    public int errorClicks;
    public int deadClicks;

    /** Tail entries, sorted by (offset, code); offsets are from the state's base. */
    public int size;

    public int[] offset;
    public int[] code;

    public SessionClicks() {}

    /** An effect (page view, fetch) at {@code off}: it makes earlier clicks not dead. */
    void effect(SessionRules r, long base, int off) {
        add(r, base, off, K_EFFECT);
    }

    /** A JS error at {@code off}: an error click for the clicks just before it. */
    void error(SessionRules r, long base, int off) {
        add(r, base, off, K_ERROR);
    }

    /** A click on {@code target} (a CSS selector or null) at {@code off}. */
    void click(SessionRules r, long base, int off, String target) {
        int hash = target == null ? 0 : target.hashCode();
        add(r, base, off, (hash << 2) | K_CLICK);
    }

    private void add(SessionRules r, long base, int off, int c) {
        if (offset == null) {
            offset = new int[8];
            code = new int[8];
        } else if (size == offset.length) {
            offset = Arrays.copyOf(offset, size * 2);
            code = Arrays.copyOf(code, size * 2);
        }
        int at = size;
        while (at > 0 && (offset[at - 1] > off || (offset[at - 1] == off && code[at - 1] > c))) {
            at--;
        }
        System.arraycopy(offset, at, offset, at + 1, size - at);
        System.arraycopy(code, at, code, at + 1, size - at);
        offset[at] = off;
        code[at] = c;
        size++;
        if ((c & 3) == K_CLICK && settledUpTo != SessionState.NONE && base + off <= settledUpTo) {
            // A late click: its neighbourhood was settled already; decide it now (best effort).
            decide(r, at);
        }
    }

    /**
     * Decides the clicks the watermark has passed by the forward window, and drops tail entries no
     * undecided click can need.
     */
    void settle(long base, long watermark, SessionRules r) {
        if (watermark == SessionState.NONE || size == 0) return;
        // An on-time event may still come at the watermark itself, and windows include their
        // end: a click is decided when its whole forward window is strictly behind.
        long horizon =
                watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark - r.forwardWindowMs - 1;
        if (settledUpTo != SessionState.NONE && horizon <= settledUpTo) return;
        for (int i = 0; i < size; i++) {
            long t = base + offset[i];
            if (t > horizon) break;
            if ((code[i] & 3) == K_CLICK && (settledUpTo == SessionState.NONE || t > settledUpTo)) {
                decide(r, i);
            }
        }
        settledUpTo = horizon;
        if (horizon == Long.MAX_VALUE) {
            size = 0;
            return;
        }
        // Errors and effects matter only to clicks at or before them, all decided up to the
        // horizon; clicks are looked back at by rage clicks up to two windows later.
        long keepClicksFrom = horizon - r.retentionMs;
        int kept = 0;
        for (int i = 0; i < size; i++) {
            long t = base + offset[i];
            boolean click = (code[i] & 3) == K_CLICK;
            if (click ? t >= keepClicksFrom : t > horizon) {
                offset[kept] = offset[i];
                code[kept] = code[i];
                kept++;
            }
        }
        size = kept;
    }

    private void decide(SessionRules r, int i) {
        int off = offset[i];
        int target = code[i];
        if (rageHit(r, i)) {
            int prev = -1;
            for (int j = i - 1; j >= 0; j--) {
                if (code[j] == target) {
                    prev = j;
                    break;
                }
            }
            if (prev < 0 || !rageHit(r, prev)) rageClicks++;
        }
        boolean errorAfter = false;
        boolean effectAfter = false;
        for (int j = 0; j < size; j++) {
            int d = offset[j] - off;
            if (d < 0 || j == i) continue;
            int kind = code[j] & 3;
            if (kind == K_ERROR && d <= r.errorClickWindowMs) errorAfter = true;
            if ((kind == K_ERROR || kind == K_EFFECT) && d <= r.deadClickWindowMs) {
                effectAfter = true;
            }
            if (d > r.forwardWindowMs) break;
        }
        if (errorAfter) errorClicks++;
        if (!effectAfter) deadClicks++;
    }

    /** At least rageClickCount clicks on this target within the window ending at click i. */
    private boolean rageHit(SessionRules r, int i) {
        int target = code[i];
        int from = offset[i] - r.rageClickWindowMs;
        int n = 0;
        for (int j = i; j >= 0 && offset[j] >= from; j--) {
            if (code[j] == target && ++n >= r.rageClickCount) return true;
        }
        return false;
    }

    /** Whether any click made the piece frustrated (one dead click alone does not). */
    boolean frustrated() {
        return rageClicks > 0 || errorClicks > 0 || deadClicks >= 2;
    }

    /**
     * Adds another piece's decided counts and tail; {@code delta} moves its offsets onto this
     * piece's base. The other piece's settled horizon is not taken over (window accumulators, the
     * only users, never see a watermark).
     */
    void merge(SessionClicks o, SessionRules r, long base, int delta) {
        rageClicks += o.rageClicks;
        errorClicks += o.errorClicks;
        deadClicks += o.deadClicks;
        for (int i = 0; i < o.size; i++) add(r, base, o.offset[i] + delta, o.code[i]);
    }

    SessionClicks copy() {
        SessionClicks c = new SessionClicks();
        c.settledUpTo = settledUpTo;
        c.rageClicks = rageClicks;
        c.errorClicks = errorClicks;
        c.deadClicks = deadClicks;
        c.size = size;
        if (offset != null) {
            c.offset = offset.clone();
            c.code = code.clone();
        }
        return c;
    }

    /** Equal content (ignores spare array capacity). */
    boolean sameAs(SessionClicks o) {
        if (settledUpTo != o.settledUpTo
                || rageClicks != o.rageClicks
                || errorClicks != o.errorClicks
                || deadClicks != o.deadClicks
                || size != o.size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (offset[i] != o.offset[i] || code[i] != o.code[i]) return false;
        }
        return true;
    }

    /**
     * The tail: its size, then per entry the zig-zag step from the previous offset and the code.
     */
    void writeTail(DataOutputView out) throws IOException {
        writeSteps(out, size, offset, i -> writeVarInt(out, code[i]));
    }

    /** Reads the tail section into this (counts and horizon are read by the serializer). */
    void readTail(DataInputView in) throws IOException {
        size = readVarInt(in);
        if (size > 0) {
            offset = new int[size];
            code = new int[size];
            readSteps(in, offset, i -> code[i] = readVarInt(in));
        }
    }
}
