package io.beaconflow.jobs.errors;

import io.beaconflow.jobs.model.RumEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * One error's sessions hit for the first time in one window ({@link
 * ErrorGroupTracker#WINDOW_COUNTS}): what the error-surge detection reads, and what {@code
 * ./beaconflow evaluate --cache} records of the error groups. A POJO.
 */
public class ErrorWindowCount {
    public String app;

    /** The error group's fingerprint. */
    public String fingerprint;

    /** Epoch millis, inclusive. */
    public long windowStart;

    /** Epoch millis, exclusive. */
    public long windowEnd;

    /** Sessions whose first occurrence of the error lies in the window. */
    public long newSessions;

    /**
     * Those sessions by segment, {@code dimension=value} (browser, country, device, os, route,
     * release, as the first occurrence had them) → sessions: where the error happens, for the
     * alert's hints.
     */
    public Map<String, Long> segments = new HashMap<>();

    public ErrorWindowCount() {}

    /** Counts one new session, at the segments of its first occurrence {@code e}. */
    void add(RumEvent e) {
        newSessions++;
        segment("browser", e.browser);
        segment("country", e.country);
        segment("device", e.deviceType);
        segment("os", e.os);
        segment("route", e.route);
        segment("release", e.release);
    }

    private void segment(String dimension, String value) {
        if (value != null) {
            segments.merge(dimension + "=" + value, 1L, Long::sum);
        }
    }

    @Override
    public String toString() {
        return app + "|" + fingerprint + "@" + windowStart + " new=" + newSessions;
    }
}
