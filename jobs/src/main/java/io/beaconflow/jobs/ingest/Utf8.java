package io.beaconflow.jobs.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 checks. Beacons are almost all ASCII, so the common case is one tight loop. */
public final class Utf8 {
    private Utf8() {}

    // Eight bytes at a time: the ASCII scan was 8 % of decoding and enriching a beacon (JMH
    // IngestBenchmark profile, docs/benchmarks.md); one unaligned load and a mask per word instead
    // of a compare per byte.
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    public static boolean isValid(byte[] bytes) {
        int i = asciiPrefix(bytes);
        if (i == bytes.length) {
            return true;
        }
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(bytes, i, bytes.length - i));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Length of the longest prefix of {@code bytes} that is plain ASCII (high bit clear). */
    static int asciiPrefix(byte[] bytes) {
        int i = 0;
        int words = bytes.length - 7;
        while (i < words && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
            i += 8;
        }
        while (i < bytes.length && bytes[i] >= 0) {
            i++;
        }
        return i;
    }

    /** The first {@code maxBytes} bytes as text, bad sequences replaced by U+FFFD. */
    public static String lenientPrefix(byte[] bytes, int maxBytes) {
        return new String(bytes, 0, Math.min(bytes.length, maxBytes), StandardCharsets.UTF_8);
    }
}
