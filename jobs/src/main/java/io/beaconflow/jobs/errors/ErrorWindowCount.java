package io.beaconflow.jobs.errors;

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

    public ErrorWindowCount() {}

    @Override
    public String toString() {
        return app + "|" + fingerprint + "@" + windowStart + " new=" + newSessions;
    }
}
