package io.beaconflow.jobs.sessions;

import java.util.List;
import java.util.Map;

/**
 * One version of a session: an update while it is open ({@code closed = false}), or the final
 * record. All versions of a session share {@link #sessionKey}, the Elasticsearch document id, so
 * the sink overwrites; {@link #updateSeq} orders them. A Flink POJO (public fields, no-arg
 * constructor, interface-typed collections).
 *
 * <p>Times are epoch millis of event time. Counts are raw (one per event); weight them with {@code
 * 1 / sampleRate} when summing sessions.
 */
public class SessionRecord {
    public static final String OPEN = "open";
    public static final String INACTIVITY = "inactivity";
    public static final String MAX_DURATION = "max_duration";

    /** {@code app:sessionId:start} (start as known at the first emission; see SessionAssembler). */
    public String sessionKey;

    public String app;
    public String sessionId;
    public String userId;
    public String release;
    public String environment;
    public String browser;
    public String browserVersion;
    public String os;
    public String deviceType;
    public String country;
    public String networkType;
    public Map<String, String> experiments;

    public long start;
    public long end;
    public long durationMs;
    public boolean closed;

    /** {@link #OPEN}, {@link #INACTIVITY} or {@link #MAX_DURATION}. */
    public String endReason;

    /** 1 for the first emission of this session, then +1 for each update and the final record. */
    public int updateSeq;

    public int events;
    public int pageViews;
    public int actions;
    public int fetches;
    public int failedFetches;
    public int errors;

    /** Events that arrived behind the watermark (allowed lateness); see SessionAssembler. */
    public int lateEvents;

    public String landingRoute;
    public String exitRoute;

    /** Exactly one page view and no clicks. */
    public boolean bounce;

    public Double lcpWorst;
    public Double lcpP75;
    public Double inpWorst;
    public Double inpP75;
    public Double clsWorst;
    public Double clsP75;
    public Double fcpP75;
    public Double ttfbP75;

    public int rageClicks;
    public int errorClicks;
    public int deadClicks;

    /** Any rage click or error click, or two or more dead clicks. */
    public boolean frustrated;

    public List<TimelineEntry> timeline;
    public List<String> traceIds;

    /** Any event flagged as a bot by its user agent, or bot-like behaviour (see SessionState). */
    public boolean bot;

    public double sampleRate = 1.0;

    public SessionRecord() {}

    @Override
    public String toString() {
        return "SessionRecord{"
                + sessionKey
                + " seq="
                + updateSeq
                + " "
                + endReason
                + " "
                + start
                + ".."
                + end
                + " events="
                + events
                + "}";
    }
}
