package io.beaconflow.detectors.backtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a recorded series: CSV {@code timestamp,value[,denominator]} with an optional header line.
 * Timestamps may be epoch milliseconds, an ISO-8601 instant ({@code 2024-03-31T01:00:00Z}) or a
 * local {@code YYYY-MM-DD HH:MM:SS} / {@code YYYY-MM-DDTHH:MM:SS} read in the given zone. An empty
 * value cell is a missing point (NaN, which the detector skips and counts); text that is not a
 * number is an error naming the line.
 */
public final class SeriesCsv {
    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd[ ]['T']HH:mm:ss[.SSSSSS][.SSS]");

    private SeriesCsv() {}

    public static List<Point> read(Path csv, ZoneId zone) throws IOException {
        List<Point> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] cells = trimmed.split(",", -1);
                if (n == 1 && cells[0].strip().equalsIgnoreCase("timestamp")) {
                    continue;
                }
                if (cells.length < 2 || cells.length > 3) {
                    throw new IOException(
                            csv
                                    + ":"
                                    + n
                                    + ": expected timestamp,value[,denominator], got "
                                    + cells.length
                                    + " columns");
                }
                long ts = parseTimestamp(cells[0].strip(), zone, csv, n);
                double value = number(cells[1], csv, n, "value");
                double den =
                        cells.length == 3 ? number(cells[2], csv, n, "denominator") : Double.NaN;
                out.add(new Point(n, ts, value, den));
            }
        }
        return out;
    }

    private static double number(String cell, Path csv, int line, String what) throws IOException {
        String s = cell.strip();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(csv + ":" + line + ": " + what + " '" + s + "' is not a number");
        }
    }

    /** Parses epoch millis, an ISO instant, or a local date-time in {@code zone}. */
    public static long parseTimestamp(String s, ZoneId zone, Path csv, int line)
            throws IOException {
        if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            return Long.parseLong(s);
        }
        try {
            if (s.endsWith("Z") || s.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return Instant.from(DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s)).toEpochMilli();
            }
            return LocalDateTime.parse(s, LOCAL).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IOException(
                    csv
                            + ":"
                            + line
                            + ": timestamp '"
                            + s
                            + "' is neither epoch millis, ISO-8601 nor YYYY-MM-DD HH:MM:SS");
        }
    }
}
