package io.beaconflow.collector.translate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic event ids. The job deduplicates by {@code (app, event_id)}, so an id must depend
 * only on what the SDK sent (span ids, the SDK's own metric and action ids, or the content of an
 * item that has none), never on the request or the time it arrived: a payload posted twice then
 * yields the same ids and the job drops the copy.
 */
public final class Ids {
    private Ids() {}

    /**
     * {@code prefix:} + 32 hex chars of SHA-256 over the parts (separated, so "a","bc" !=
     * "ab","c").
     */
    public static String hashed(String prefix, String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
        for (String p : parts) {
            sha.update((p == null ? "\u0000null" : p).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0x1f);
        }
        byte[] d = sha.digest();
        return prefix + ":" + HexFormat.of().formatHex(d, 0, 16);
    }

    /** An id built from SDK-issued identifiers, kept readable; hashed when it would be too long. */
    public static String direct(String prefix, String... parts) {
        String id = prefix + ":" + String.join(":", parts);
        return id.length() <= ContractEvents.MAX_ID ? id : hashed(prefix, parts);
    }
}
