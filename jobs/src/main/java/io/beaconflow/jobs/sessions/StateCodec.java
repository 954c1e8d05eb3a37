package io.beaconflow.jobs.sessions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The encodings of {@link SessionStateSerializer}'s format 1, shared by the state's parts: varints,
 * zig-zag signed numbers, optional times, strings (null, 32 hex digits as 16 bytes, one of {@link
 * #COMMON}, or UTF-8) and references into the per-state string dictionary. Part of the byte format:
 * change nothing here without a new format version ({@code SessionStateGoldenTest} pins the bytes).
 */
final class StateCodec {
    private StateCodec() {}

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

    static void writeOptional(DataOutputView out, long v, long base) throws IOException {
        writeVarLong(out, v == SessionState.NONE ? 0 : zigzag(v - base) + 1);
    }

    static long readOptional(DataInputView in, long base) throws IOException {
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

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
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

    /** Writes what follows entry {@code i}'s offset step. */
    interface EntryWriter {
        void write(int i) throws IOException;
    }

    /** Reads what follows entry {@code i}'s offset step. */
    interface EntryReader {
        void read(int i) throws IOException;
    }

    /**
     * The count, then per entry the zig-zag step from the previous offset (the first from 0) and
     * what {@code entry} writes: the layout of the timeline, the trace ids and the click tail.
     */
    static void writeSteps(DataOutputView out, int size, int[] offset, EntryWriter entry)
            throws IOException {
        writeVarInt(out, size);
        int prev = 0;
        for (int i = 0; i < size; i++) {
            writeVarInt(out, zigzag(offset[i] - prev));
            prev = offset[i];
            entry.write(i);
        }
    }

    /**
     * Reads the entries {@link #writeSteps} wrote after their count (read by the caller, who sized
     * {@code offset} to it): fills {@code offset}, calling {@code entry} after each step.
     */
    static void readSteps(DataInputView in, int[] offset, EntryReader entry) throws IOException {
        int prev = 0;
        for (int i = 0; i < offset.length; i++) {
            prev += unzigzag(readVarInt(in));
            offset[i] = prev;
            entry.read(i);
        }
    }

    static void writeVarLong(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed varint");
    }
}
