package io.beaconflow.jobs.metrics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The key of a series, {@code app NUL dimension NUL value}: NUL cannot occur in decoded JSON text
 * fields after enrichment, so splitting it back is unambiguous (unlike {@code |}, which a route or
 * release could contain).
 */
public final class SeriesKey {
    private static final char SEP = '\u0000';

    /** Elasticsearch rejects document ids longer than 512 bytes. */
    static final int MAX_ID_BYTES = 512;

    private SeriesKey() {}

    public static String of(String app, Dimension dimension, String value) {
        return app + SEP + dimension.configName() + SEP + value;
    }

    /** {@code [app, dimension, value]} of a key made by {@link #of}. */
    public static String[] split(String key) {
        int a = key.indexOf(SEP);
        int b = key.indexOf(SEP, a + 1);
        return new String[] {key.substring(0, a), key.substring(a + 1, b), key.substring(b + 1)};
    }

    /**
     * The document id {@code app|dimension|value|windowStart}. Ids over 512 bytes (a very long
     * route) use the SHA-256 of the value instead, so the row can still be written.
     */
    public static String documentId(String app, String dimension, String value, long windowStart) {
        String id = app + '|' + dimension + '|' + value + '|' + windowStart;
        if (id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES) {
            return id;
        }
        return app + '|' + dimension + "|sha256:" + sha256(value) + '|' + windowStart;
    }

    private static String sha256(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
