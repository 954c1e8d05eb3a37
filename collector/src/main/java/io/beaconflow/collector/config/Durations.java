package io.beaconflow.collector.config;

import java.time.Duration;
import java.util.Locale;

/** Human durations in the config file: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration; use e.g. 250ms, 10s, 5m");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0 || i == t.length()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; use a number and a unit: ms, s, m or h");
        }
        double n = Double.parseDouble(t.substring(0, i));
        long unit;
        switch (t.substring(i).trim()) {
            case "ms":
                unit = 1;
                break;
            case "s":
                unit = 1_000;
                break;
            case "m":
                unit = 60_000;
                break;
            case "h":
                unit = 3_600_000;
                break;
            default:
                throw new IllegalArgumentException(
                        "'" + text + "' has an unknown unit; use ms, s, m or h");
        }
        return Duration.ofMillis(Math.round(n * unit));
    }
}
