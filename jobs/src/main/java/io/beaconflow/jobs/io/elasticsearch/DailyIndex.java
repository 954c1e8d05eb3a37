package io.beaconflow.jobs.io.elasticsearch;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Daily index names from a record's event time, in UTC: {@code name("rum-metrics-",
 * 1793577600000L)} is {@code rum-metrics-2026.11.02}. Event time, not arrival time, so a replay
 * puts a record in the same index (and overwrites it there) whenever it runs.
 */
public final class DailyIndex {
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private DailyIndex() {}

    public static String name(String prefix, long epochMillis) {
        return prefix + DAY.format(Instant.ofEpochMilli(epochMillis));
    }
}
