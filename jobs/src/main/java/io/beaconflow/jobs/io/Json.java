package io.beaconflow.jobs.io;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON in one place. {@link #newOutputMapper()}: the JSON form of the job's outputs (NDJSON files,
 * Elasticsearch documents): public fields only (helper methods like {@code isFailedFetch()} are not
 * properties), snake_case like the input contract, nulls omitted, map keys sorted so equal records
 * give equal bytes. {@link #string}, {@link #tenths}, {@link #tenThousandths}: the few primitives
 * the traffic generator writes by hand into a {@link StringBuilder}, hand-rolled because they run
 * for every field of every generated event and must not allocate or format (no {@code
 * String.format}, no {@code Double.toString}).
 */
public final class Json {
    private Json() {}

    public static ObjectMapper newOutputMapper() {
        return JsonMapper.builder()
                .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.PUBLIC_ONLY)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A JSON string literal with RFC 8259 escaping. */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        int run = 0; // start of the current run of characters that need no escape
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.append(s, run, i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]);
            }
            run = i + 1;
        }
        out.append(s, run, n).append('"');
    }

    /** A non-negative number with one decimal, e.g. {@code 1834.2}; {@code 12} for 12.0. */
    public static void tenths(StringBuilder out, double v) {
        long t = Math.round(v * 10);
        out.append(t / 10);
        long frac = t % 10;
        if (frac != 0) out.append('.').append(frac);
    }

    /** A non-negative number with up to four decimals, e.g. {@code 0.0123}. */
    public static void tenThousandths(StringBuilder out, double v) {
        long t = Math.round(v * 10_000);
        out.append(t / 10_000);
        long frac = t % 10_000;
        if (frac == 0) return;
        out.append('.');
        if (frac < 1000) out.append('0');
        if (frac < 100) out.append('0');
        if (frac < 10) out.append('0');
        while (frac % 10 == 0) frac /= 10;
        out.append(frac);
    }
}
