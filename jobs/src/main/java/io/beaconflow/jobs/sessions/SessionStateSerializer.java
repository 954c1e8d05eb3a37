package io.beaconflow.jobs.sessions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A compact serializer for {@link SessionState}: Flink's POJO serializer writes a null flag per
 * field, fixed-width ints and longs, and every timeline route again (about 700 bytes for a typical
 * session); this one writes varints, zig-zag offsets from {@link SessionState#base}, each
 * route/detail string once per session, and 32-hex-digit trace ids as 16 bytes (about 250 bytes).
 *
 * <p>The format starts with a version byte so a later format can still read this one. Strings are
 * UTF-8 with a varint length + 1 (0 = null).
 */
public final class SessionStateSerializer extends TypeSerializerSingleton<SessionState> {
    private static final long serialVersionUID = 1L;

    public static final SessionStateSerializer INSTANCE = new SessionStateSerializer();

    private static final int FORMAT = 1;
    private static final int F_DIRTY = 1;
    private static final int F_BOT = 2;
    private static final int F_SAMPLED = 4;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public SessionState createInstance() {
        return new SessionState();
    }

    @Override
    public SessionState copy(SessionState from) {
        return from.copy();
    }

    @Override
    public SessionState copy(SessionState from, SessionState reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SessionState s, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        writeVarLong(out, zigzag(s.base));
        writeVarLong(out, zigzag(s.start - s.base));
        writeVarLong(out, zigzag(s.end - s.base));
        writeOptional(out, s.idStart, s.base);
        writeOptional(out, s.timerAt, s.base);
        writeOptional(out, s.nextUpdateAt, s.base);
        writeOptional(out, s.settledUpTo, s.base);
        writeVarInt(out, s.updateSeq);
        int flags =
                (s.dirty ? F_DIRTY : 0)
                        | (s.anyBot ? F_BOT : 0)
                        | (s.sampleRate != 1.0 ? F_SAMPLED : 0);
        out.writeByte(flags);
        if (s.sampleRate != 1.0) out.writeDouble(s.sampleRate);

        writeVarInt(out, zigzag(s.dimsOffset));
        writeString(out, s.userId);
        writeVarInt(out, zigzag(s.userOffset));
        writeString(out, s.release);
        writeString(out, s.environment);
        writeString(out, s.browser);
        writeString(out, s.browserVersion);
        writeString(out, s.os);
        writeString(out, s.deviceType);
        writeString(out, s.country);
        writeString(out, s.networkType);
        if (s.experiments == null) {
            writeVarInt(out, 0);
        } else {
            writeVarInt(out, s.experiments.size() + 1);
            for (Map.Entry<String, String> e : s.experiments.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
        }

        writeVarInt(out, s.events);
        writeVarInt(out, s.pageViews);
        writeVarInt(out, s.actions);
        writeVarInt(out, s.fetches);
        writeVarInt(out, s.failedFetches);
        writeVarInt(out, s.errors);
        writeVarInt(out, s.lateEvents);
        writeVarInt(out, s.rageClicks);
        writeVarInt(out, s.errorClicks);
        writeVarInt(out, s.deadClicks);

        // Routes and details repeat within a session: write each distinct string once.
        List<String> dict = new ArrayList<>();
        int landing = ref(dict, s.landingRoute);
        int exit = ref(dict, s.exitRoute);
        int[][] timelineRefs = s.timeline.refs(dict);
        writeVarInt(out, dict.size());
        for (String d : dict) writeString(out, d);
        writeVarInt(out, landing);
        writeVarInt(out, zigzag(s.landingOffset));
        writeVarInt(out, exit);
        writeVarInt(out, zigzag(s.exitOffset));

        s.vitals.write(out);
        s.timeline.write(out, timelineRefs);
        s.traces.write(out);

        writeVarInt(out, s.tailSize);
        int prevOff = 0;
        for (int i = 0; i < s.tailSize; i++) {
            writeVarInt(out, zigzag(s.tailOffset[i] - prevOff));
            prevOff = s.tailOffset[i];
            writeVarInt(out, s.tailCode[i]);
        }
    }

    @Override
    public SessionState deserialize(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown SessionState format " + format);
        }
        SessionState s = new SessionState();
        s.base = unzigzag(readVarLong(in));
        s.start = s.base + unzigzag(readVarLong(in));
        s.end = s.base + unzigzag(readVarLong(in));
        s.idStart = readOptional(in, s.base);
        s.timerAt = readOptional(in, s.base);
        s.nextUpdateAt = readOptional(in, s.base);
        s.settledUpTo = readOptional(in, s.base);
        s.updateSeq = readVarInt(in);
        int flags = in.readUnsignedByte();
        s.dirty = (flags & F_DIRTY) != 0;
        s.anyBot = (flags & F_BOT) != 0;
        s.sampleRate = (flags & F_SAMPLED) != 0 ? in.readDouble() : 1.0;

        s.dimsOffset = unzigzag(readVarInt(in));
        s.userId = readString(in);
        s.userOffset = unzigzag(readVarInt(in));
        s.release = readString(in);
        s.environment = readString(in);
        s.browser = readString(in);
        s.browserVersion = readString(in);
        s.os = readString(in);
        s.deviceType = readString(in);
        s.country = readString(in);
        s.networkType = readString(in);
        int experiments = readVarInt(in);
        if (experiments > 0) {
            s.experiments = new HashMap<>();
            for (int i = 0; i < experiments - 1; i++) {
                s.experiments.put(readString(in), readString(in));
            }
        }

        s.events = readVarInt(in);
        s.pageViews = readVarInt(in);
        s.actions = readVarInt(in);
        s.fetches = readVarInt(in);
        s.failedFetches = readVarInt(in);
        s.errors = readVarInt(in);
        s.lateEvents = readVarInt(in);
        s.rageClicks = readVarInt(in);
        s.errorClicks = readVarInt(in);
        s.deadClicks = readVarInt(in);

        String[] dict = new String[readVarInt(in)];
        for (int i = 0; i < dict.length; i++) dict[i] = readString(in);
        s.landingRoute = deref(dict, readVarInt(in));
        s.landingOffset = unzigzag(readVarInt(in));
        s.exitRoute = deref(dict, readVarInt(in));
        s.exitOffset = unzigzag(readVarInt(in));

        s.vitals = SessionVitals.read(in);
        s.timeline = SessionTimeline.read(in, dict);
        s.traces = SessionTraces.read(in);

        s.tailSize = readVarInt(in);
        if (s.tailSize > 0) {
            s.tailOffset = new int[s.tailSize];
            s.tailCode = new int[s.tailSize];
            int prev = 0;
            for (int i = 0; i < s.tailSize; i++) {
                prev += unzigzag(readVarInt(in));
                s.tailOffset[i] = prev;
                s.tailCode[i] = readVarInt(in);
            }
        }
        return s;
    }

    @Override
    public SessionState deserialize(SessionState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<SessionState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for savepoint compatibility; the format version lives in the data. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SessionState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    // ---- encoding helpers ----

    /** Reference of {@code s} in the state's string dictionary (added if new); 0 = null. */
    static int ref(List<String> dict, String s) {
        if (s == null) return 0;
        int i = dict.indexOf(s);
        if (i < 0) {
            dict.add(s);
            i = dict.size() - 1;
        }
        return i + 1;
    }

    static String deref(String[] dict, int ref) throws IOException {
        if (ref == 0) return null;
        if (ref > dict.length) throw new IOException("bad string reference " + ref);
        return dict[ref - 1];
    }

    private static void writeOptional(DataOutputView out, long v, long base) throws IOException {
        writeVarLong(out, v == SessionState.NONE ? 0 : zigzag(v - base) + 1);
    }

    private static long readOptional(DataInputView in, long base) throws IOException {
        long x = readVarLong(in);
        return x == 0 ? SessionState.NONE : base + unzigzag(x - 1);
    }

    /**
     * Frequent dimension values, written as one byte. Part of format 1: append only, never reorder
     * or remove (a value's position is what state on disk refers to).
     */
    private static final String[] COMMON = {
        "unknown",
        "desktop",
        "mobile",
        "tablet",
        "bot",
        "tv",
        "other",
        "Chrome",
        "Safari",
        "Firefox",
        "Edge",
        "Opera",
        "Samsung Internet",
        "Chrome Webview",
        "Windows NT",
        "Mac OS",
        "Android",
        "iOS",
        "Linux",
        "Chrome OS",
        "Windows",
        "macOS",
        "prod",
        "production",
        "staging",
        "dev",
        "test",
        "4g",
        "3g",
        "2g",
        "slow-2g",
        "wifi",
        "ethernet",
        "cellular",
        "none",
        "US",
        "DE",
        "GB",
        "FR",
        "IN",
        "BR",
        "JP",
        "CA",
        "NL",
        "ES",
        "IT",
        "PL",
        "AU",
    };

    private static final Map<String, Integer> COMMON_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < COMMON.length; i++) COMMON_INDEX.put(COMMON[i], i);
    }

    private static final int STR_NULL = 0;
    private static final int STR_HEX32 = 1;
    private static final int STR_COMMON = 2;
    private static final int STR_TEXT = STR_COMMON + COMMON.length;

    /**
     * One varint header, then: nothing (null), 16 bytes (32 lowercase hex digits: hashed user ids,
     * trace ids), nothing (a {@link #COMMON} value), or the UTF-8 bytes.
     */
    static void writeString(DataOutputView out, String s) throws IOException {
        if (s == null) {
            writeVarInt(out, STR_NULL);
            return;
        }
        if (isLowerHex32(s)) {
            writeVarInt(out, STR_HEX32);
            out.writeLong(Long.parseUnsignedLong(s.substring(0, 16), 16));
            out.writeLong(Long.parseUnsignedLong(s.substring(16), 16));
            return;
        }
        Integer common = COMMON_INDEX.get(s);
        if (common != null) {
            writeVarInt(out, STR_COMMON + common);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, STR_TEXT + b.length);
        out.write(b);
    }

    static String readString(DataInputView in) throws IOException {
        int h = readVarInt(in);
        if (h == STR_NULL) return null;
        if (h == STR_HEX32) return hex16(in.readLong()) + hex16(in.readLong());
        if (h < STR_TEXT) return COMMON[h - STR_COMMON];
        byte[] b = new byte[h - STR_TEXT];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static boolean isLowerHex32(String s) {
        if (s.length() != 32) return false;
        for (int i = 0; i < 32; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static int zigzag(int v) {
        return (v << 1) ^ (v >> 31);
    }

    static int unzigzag(int v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static void writeVarInt(DataOutputView out, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    static int readVarInt(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed varint");
    }

    private static void writeVarLong(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed varint");
    }
}
