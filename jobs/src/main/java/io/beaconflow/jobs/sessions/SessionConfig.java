package io.beaconflow.jobs.sessions;

import io.beaconflow.config.ConfigProblems;
import io.beaconflow.jobs.state.WriteBehindCache;
import java.io.Serializable;
import java.time.Duration;

/**
 * The {@code sessions:} section of the job config: how events of one (app, session id) are cut into
 * session records, how often a live session is re-emitted, and the frustration-signal knobs.
 */
public class SessionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_GAP = Duration.ofMinutes(30);
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofHours(4);
    public static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofMinutes(1);
    public static final int DEFAULT_TIMELINE_SIZE = 20;
    public static final int DEFAULT_MAX_TRACE_IDS = 10;
    public static final int DEFAULT_RAGE_CLICK_COUNT = 3;
    public static final Duration DEFAULT_RAGE_CLICK_WINDOW = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ERROR_CLICK_WINDOW = Duration.ofSeconds(1);
    public static final Duration DEFAULT_DEAD_CLICK_WINDOW = Duration.ofSeconds(1);
    public static final int DEFAULT_STATE_CACHE = 10_000;

    /** Upper bounds that keep state small and time offsets inside an int (see SessionState). */
    static final Duration MAX_MAX_DURATION = Duration.ofDays(7);

    static final Duration MAX_SIGNAL_WINDOW = Duration.ofMinutes(1);
    static final Duration MIN_UPDATE_INTERVAL = Duration.ofSeconds(1);
    static final int MAX_TIMELINE_SIZE = 200;
    static final int MAX_TRACE_IDS = 100;
    static final int MAX_STATE_CACHE = 1_000_000;

    /** Event-time inactivity after which a session closes. */
    public Duration gap = DEFAULT_GAP;

    /** Longest session; an event at or after start + this starts a new session. */
    public Duration maxDuration = DEFAULT_MAX_DURATION;

    /** Event time between updates of an open session; {@code 0s} turns updates off. */
    public Duration updateInterval = DEFAULT_UPDATE_INTERVAL;

    /** How many timeline entries (page views, clicks, errors, failed fetches) a session keeps. */
    public int timelineSize = DEFAULT_TIMELINE_SIZE;

    /** How many distinct trace ids (earliest first) a session keeps. */
    public int maxTraceIds = DEFAULT_MAX_TRACE_IDS;

    /** Clicks on one target within {@link #rageClickWindow} that make a rage click. */
    public int rageClickCount = DEFAULT_RAGE_CLICK_COUNT;

    public Duration rageClickWindow = DEFAULT_RAGE_CLICK_WINDOW;

    /** A click followed by a JS error within this is an error click. */
    public Duration errorClickWindow = DEFAULT_ERROR_CLICK_WINDOW;

    /** A click followed by no fetch, page view or error within this is a dead click. */
    public Duration deadClickWindow = DEFAULT_DEAD_CLICK_WINDOW;

    /**
     * Open sessions kept on the heap per subtask in front of their keyed state ({@link
     * WriteBehindCache}), written to it when they leave the cache or before a snapshot; {@code 0}
     * turns the cache off. Results and snapshots do not depend on it; on RocksDB it saves a read
     * and a write of the session per event.
     */
    public int stateCache = DEFAULT_STATE_CACHE;

    /** Checks this section alone; the exception names {@code source} and every problem. */
    public void validate(String source) {
        ConfigProblems.check(source, this::check);
    }

    /** Adds every problem of the {@code sessions:} section. */
    public void check(ConfigProblems p) {
        boolean gapOk = p.durationAboveZero("sessions.gap", gap, "e.g. 30m");
        if (p.durationAboveZero("sessions.max-duration", maxDuration, "e.g. 4h")) {
            p.require(
                    maxDuration.compareTo(MAX_MAX_DURATION) <= 0,
                    "sessions.max-duration",
                    "must be at most 7d (got " + maxDuration + ")",
                    "set e.g. 4h; longer visits are split into several sessions anyway");
            p.require(
                    !gapOk || maxDuration.compareTo(gap) >= 0,
                    "sessions.max-duration",
                    "must not be shorter than sessions.gap (" + gap + ")",
                    "raise max-duration (e.g. 4h) or lower gap (e.g. 30m)");
        }
        p.require(
                updateInterval != null
                        && !updateInterval.isNegative()
                        && (updateInterval.isZero()
                                || updateInterval.compareTo(MIN_UPDATE_INTERVAL) >= 0),
                "sessions.update-interval",
                "must be 0s (no updates) or at least 1s (got " + updateInterval + ")",
                "set e.g. 1m, or 0s to emit only closed sessions");
        p.between("sessions.timeline-size", timelineSize, 0, MAX_TIMELINE_SIZE, "e.g. 20");
        p.between("sessions.max-trace-ids", maxTraceIds, 0, MAX_TRACE_IDS, "e.g. 10");
        p.between("sessions.state-cache", stateCache, 0, MAX_STATE_CACHE, "e.g. 10000");
        p.between("sessions.rage-click-count", rageClickCount, 2, 50, "e.g. 3");
        window(p, "sessions.rage-click-window", rageClickWindow);
        window(p, "sessions.error-click-window", errorClickWindow);
        window(p, "sessions.dead-click-window", deadClickWindow);
    }

    private static void window(ConfigProblems p, String key, Duration d) {
        if (p.durationAboveZero(key, d, "e.g. 1s")) {
            p.require(
                    d.compareTo(MAX_SIGNAL_WINDOW) <= 0,
                    key,
                    "must be at most 1m (got " + d + "): clicks are kept in state that long",
                    "set e.g. 1s");
        }
    }
}
