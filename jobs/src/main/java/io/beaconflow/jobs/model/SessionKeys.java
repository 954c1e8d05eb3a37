package io.beaconflow.jobs.model;

import org.apache.flink.api.java.functions.KeySelector;

/**
 * The one key of a visit: app and SDK session id. Deduplication and sessionization both key by it,
 * so the stream is shuffled once: the session operator reinterprets the deduplicated stream as
 * already keyed instead of shuffling every event a second time.
 */
public final class SessionKeys {
    private SessionKeys() {}

    public static final char SEPARATOR = '\u0000';

    public static KeySelector<RumEvent, String> bySession() {
        return e -> e.app + SEPARATOR + e.sessionId;
    }
}
