package io.beaconflow.jobs.enrich;

/**
 * A stable fingerprint for JS errors that the SDK did not fingerprint, so "the same error" groups
 * across users: error type + the message with volatile parts (numbers, hex ids, quoted values)
 * masked + the top stack frame without line and column. 64-bit FNV-1a, 16 hex characters.
 */
public final class ErrorFingerprint {
    private ErrorFingerprint() {}

    public static String of(String type, String message, String stack) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, type == null ? "" : type);
        h = fnv(h, "|");
        h = fnv(h, maskMessage(message == null ? "" : message));
        h = fnv(h, "|");
        h = fnv(h, topFrame(stack));
        return String.format("%016x", h);
    }

    static String maskMessage(String m) {
        StringBuilder b = new StringBuilder(m.length());
        int i = 0;
        while (i < m.length()) {
            char c = m.charAt(i);
            if (c == '\'' || c == '"') {
                int close = m.indexOf(c, i + 1);
                if (close > i) {
                    b.append(c).append('*').append(c);
                    i = close + 1;
                    continue;
                }
            }
            if (Character.isDigit(c)) {
                while (i < m.length()
                        && (Character.isLetterOrDigit(m.charAt(i)) || m.charAt(i) == '.')) {
                    i++;
                }
                b.append('0');
                continue;
            }
            b.append(c);
            i++;
        }
        return b.toString();
    }

    static String topFrame(String stack) {
        if (stack == null || stack.isBlank()) return "";
        for (String line : stack.split("\n")) {
            String t = line.trim();
            if (t.startsWith("at ") || t.contains("@")) {
                // Drop ":line:col" so a rebuild that shifts lines keeps the fingerprint.
                return t.replaceAll(":\\d+:\\d+\\)?$", "");
            }
        }
        return "";
    }

    private static long fnv(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
