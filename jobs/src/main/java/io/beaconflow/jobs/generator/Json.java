package io.beaconflow.jobs.generator;

/**
 * The few JSON primitives the generator writes by hand into a {@link StringBuilder}: escaped
 * strings and fixed-point numbers. Hand-rolled because it runs for every field of every event and
 * must not allocate or format (no {@code String.format}, no {@code Double.toString}).
 */
final class Json {
    private Json() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** A JSON string literal with RFC 8259 escaping. */
    static void string(StringBuilder out, String s) {
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
    static void tenths(StringBuilder out, double v) {
        long t = Math.round(v * 10);
        out.append(t / 10);
        long frac = t % 10;
        if (frac != 0) out.append('.').append(frac);
    }

    /** A non-negative number with up to four decimals, e.g. {@code 0.0123}. */
    static void tenThousandths(StringBuilder out, double v) {
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
