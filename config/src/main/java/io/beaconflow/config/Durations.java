package io.beaconflow.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Human durations in config files: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 4h}, {@code 7d}.
 */
public final class Durations {
    private Durations() {}

    /**
     * Parses a duration: a number (decimals allowed) and a unit ({@code 250ms}, {@code 30s}, {@code
     * 1.5h}, {@code 7d}), or ISO-8601 ({@code PT30M}). Throws {@link IllegalArgumentException} with
     * a message saying what is accepted.
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration; use e.g. 30s, 5m, 4h");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(
                        "'" + text + "' is not an ISO-8601 duration; use e.g. PT30M or 30m", e);
            }
        }
        int i = 0;
        while (i < t.length()
                && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '-' || t.charAt(i) == '.')) {
            i++;
        }
        if (i == t.length()) {
            throw new IllegalArgumentException(
                    "'" + text + "' has no unit; use a number and a unit: ms, s, m, h or d");
        }
        if (i == 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use a number and a unit: ms, s, m, h or d");
        }
        double n;
        try {
            n = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration", e);
        }
        String unit = t.substring(i).trim();
        long millisPerUnit;
        switch (unit) {
            case "ms":
                millisPerUnit = 1;
                break;
            case "s":
                millisPerUnit = 1_000;
                break;
            case "m":
            case "min":
                millisPerUnit = 60_000;
                break;
            case "h":
                millisPerUnit = 3_600_000;
                break;
            case "d":
                millisPerUnit = 86_400_000;
                break;
            default:
                throw new IllegalArgumentException(
                        "'" + text + "' has unknown unit '" + unit + "'; use ms, s, m, h or d");
        }
        return Duration.ofMillis(Math.round(n * millisPerUnit));
    }

    /** The shortest exact form, e.g. {@code 90s} → {@code 90s}, {@code 3600s} → {@code 1h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
