package io.beaconflow.jobs.generator;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters of what a {@link TrafficGenerator} has emitted so far, so tests can assert exact counts
 * downstream. Event and record counters move when a record is emitted (or skipped over), so a
 * bounded run's cut-off is reflected; session counters move when a session starts.
 *
 * <p>Definitions: {@link #eventsByType()} counts each well-formed event once (its first delivery);
 * copies resent by SDK retries are in {@link #duplicateEvents()}; events inside malformed records
 * are in neither. So after de-duplication the ingest stage should see exactly {@link
 * #uniqueEvents()} valid events and {@link #malformedRecords()} dead letters.
 */
public final class GenerationStats implements Serializable {
    private static final long serialVersionUID = 1L;

    long records;
    long batchRecords;
    long singleEventRecords;
    final Map<String, Long> eventsByType = new TreeMap<>();
    long duplicateRecords;
    long duplicateEvents;
    final EnumMap<MalformedKind, Long> malformedByKind = new EnumMap<>(MalformedKind.class);
    long lateRecords;
    long lateEvents;
    long botEvents;
    long rageClickBursts;
    long failedFetches;
    long sessionsStarted;
    long sessionsSampledOut;
    long botSessions;
    long skewedSessions;
    long longSessions;
    long idleResumeSessions;
    final Map<String, Long> incidentAffected = new LinkedHashMap<>();

    /** All records emitted: valid, duplicate and malformed. */
    public long records() {
        return records;
    }

    /** Well-formed records with a batch envelope (including duplicates). */
    public long batchRecords() {
        return batchRecords;
    }

    /** Well-formed records holding one bare event (including duplicates). */
    public long singleEventRecords() {
        return singleEventRecords;
    }

    /** First deliveries of well-formed events, by schema type ({@code page_view}, ...). */
    public Map<String, Long> eventsByType() {
        return Map.copyOf(eventsByType);
    }

    public long events(String type) {
        return eventsByType.getOrDefault(type, 0L);
    }

    /** Sum of {@link #eventsByType()}. */
    public long uniqueEvents() {
        long sum = 0;
        for (long v : eventsByType.values()) sum += v;
        return sum;
    }

    /** Records that repeat an earlier record's events (SDK retries). */
    public long duplicateRecords() {
        return duplicateRecords;
    }

    /** Events inside {@link #duplicateRecords()}. */
    public long duplicateEvents() {
        return duplicateEvents;
    }

    public Map<MalformedKind, Long> malformedByKind() {
        return Map.copyOf(malformedByKind);
    }

    public long malformedRecords() {
        long sum = 0;
        for (long v : malformedByKind.values()) sum += v;
        return sum;
    }

    /** Records sent long after their events (restored tabs), first deliveries only. */
    public long lateRecords() {
        return lateRecords;
    }

    public long lateEvents() {
        return lateEvents;
    }

    /** First deliveries of events from bot sessions. */
    public long botEvents() {
        return botEvents;
    }

    /** Bursts of 3 or more clicks on one target within 1 s (counted at their first click). */
    public long rageClickBursts() {
        return rageClickBursts;
    }

    /** Fetch events (first deliveries) with status 0 or 5xx. */
    public long failedFetches() {
        return failedFetches;
    }

    /** Sessions that started and were kept by sampling (they may be cut off by the run's end). */
    public long sessionsStarted() {
        return sessionsStarted;
    }

    /** Sessions not sent because the app's sample_rate dropped them. */
    public long sessionsSampledOut() {
        return sessionsSampledOut;
    }

    public long botSessions() {
        return botSessions;
    }

    /** Sessions whose client clock is off by more than a few seconds. */
    public long skewedSessions() {
        return skewedSessions;
    }

    /** Sessions with more than 30 minutes of activity. */
    public long longSessions() {
        return longSessions;
    }

    /** Sessions with one gap of more than 30 minutes under the same session id. */
    public long idleResumeSessions() {
        return idleResumeSessions;
    }

    /**
     * Per incident id: latency_regression = events whose values were multiplied; error_spike =
     * error events added; traffic_drop = sessions suppressed plus page views lost from sessions
     * already running. Event counts are first deliveries.
     */
    public Map<String, Long> incidentAffected() {
        return Map.copyOf(incidentAffected);
    }

    /** Adds another split's counters into this one. */
    public GenerationStats add(GenerationStats o) {
        records += o.records;
        batchRecords += o.batchRecords;
        singleEventRecords += o.singleEventRecords;
        o.eventsByType.forEach((k, v) -> eventsByType.merge(k, v, Long::sum));
        duplicateRecords += o.duplicateRecords;
        duplicateEvents += o.duplicateEvents;
        o.malformedByKind.forEach((k, v) -> malformedByKind.merge(k, v, Long::sum));
        lateRecords += o.lateRecords;
        lateEvents += o.lateEvents;
        botEvents += o.botEvents;
        rageClickBursts += o.rageClickBursts;
        failedFetches += o.failedFetches;
        sessionsStarted += o.sessionsStarted;
        sessionsSampledOut += o.sessionsSampledOut;
        botSessions += o.botSessions;
        skewedSessions += o.skewedSessions;
        longSessions += o.longSessions;
        idleResumeSessions += o.idleResumeSessions;
        o.incidentAffected.forEach((k, v) -> incidentAffected.merge(k, v, Long::sum));
        return this;
    }

    @Override
    public String toString() {
        return "GenerationStats{records="
                + records
                + ", batch="
                + batchRecords
                + ", single="
                + singleEventRecords
                + ", events="
                + eventsByType
                + ", duplicateRecords="
                + duplicateRecords
                + ", duplicateEvents="
                + duplicateEvents
                + ", malformed="
                + malformedByKind
                + ", lateRecords="
                + lateRecords
                + ", lateEvents="
                + lateEvents
                + ", botEvents="
                + botEvents
                + ", rageClickBursts="
                + rageClickBursts
                + ", failedFetches="
                + failedFetches
                + ", sessions="
                + sessionsStarted
                + ", sampledOut="
                + sessionsSampledOut
                + ", botSessions="
                + botSessions
                + ", skewed="
                + skewedSessions
                + ", long="
                + longSessions
                + ", idleResume="
                + idleResumeSessions
                + ", incidents="
                + incidentAffected
                + '}';
    }
}
