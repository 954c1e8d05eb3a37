package io.beaconflow.jobs.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 checks. Beacons are almost all ASCII, so the common case is one tight loop. */
public final class Utf8 {
    private Utf8() {}

    public static boolean isValid(byte[] bytes) {
        int i = 0;
        while (i < bytes.length && bytes[i] >= 0) {
            i++;
        }
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

    /** The first {@code maxBytes} bytes as text, bad sequences replaced by U+FFFD. */
    public static String lenientPrefix(byte[] bytes, int maxBytes) {
        return new String(bytes, 0, Math.min(bytes.length, maxBytes), StandardCharsets.UTF_8);
    }
}
