package io.beaconflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Utf8#isValid} answers exactly as the JDK's strict decoder does, at every position. */
class Utf8Test {

    private static boolean jdkSays(byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void aSingleBadOrMultiByteSequenceIsFoundAtEveryOffsetOfTheWordScan() {
        byte[][] inserts = {
            {(byte) 0x80}, // lone continuation byte
            {(byte) 0xC3, (byte) 0xA9}, // é
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // surrogate half
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, // emoji
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xE2, (byte) 0x82}, // truncated
            {(byte) 0xFF}
        };
        for (int length = 0; length <= 40; length++) {
            for (int at = 0; at <= length; at++) {
                for (byte[] insert : inserts) {
                    byte[] bytes = new byte[length + insert.length];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = (byte) ('a' + i % 26);
                    }
                    System.arraycopy(insert, 0, bytes, at, insert.length);
                    assertThat(Utf8.isValid(bytes))
                            .as("length %d, sequence at %d", length, at)
                            .isEqualTo(jdkSays(bytes));
                    assertThat(Utf8.asciiPrefix(bytes)).isEqualTo(at);
                }
            }
        }
    }

    @Test
    void randomMostlyAsciiArraysAgreeWithTheJdk() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int run = 0; run < 20_000; run++) {
            byte[] bytes = new byte[rnd.nextInt(0, 70)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] =
                        rnd.nextInt(12) == 0
                                ? (byte) rnd.nextInt(0x80, 0x100)
                                : (byte) rnd.nextInt(0, 0x80);
            }
            int prefix = 0;
            while (prefix < bytes.length && bytes[prefix] >= 0) prefix++;
            assertThat(Utf8.isValid(bytes)).isEqualTo(jdkSays(bytes));
            assertThat(Utf8.asciiPrefix(bytes)).isEqualTo(prefix);
        }
    }
}
