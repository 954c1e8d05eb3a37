package io.beaconflow.jobs.errors;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Error groups, keyed by app and error fingerprint (the enrichment's {@code ErrorFingerprint}, or
 * the SDK's own): first and last seen, occurrences, distinct sessions and users, releases, browsers
 * and routes, a sample message and stack. Input: the job's enriched, scrubbed JS errors, bots left
 * out (as in the metric aggregates).
 *
 * <p><b>Output in event time.</b> Each occurrence marks its window ({@code window}, the metrics
 * window) dirty; when the watermark passes the window's end the group's latest state goes out as a
 * new version ({@link ErrorGroup#updateSeq} + 1) under the group's fixed document id. A busy group
 * writes one document per window, not one per error.
 *
 * <p><b>Spread.</b> At those same instants, a group that has not spread yet counts the sessions
 * whose first occurrence lies in {@code [firstSeen, firstSeen + new-error.within)} and not after
 * the watermark; at {@code new-error.min-sessions} it emits a {@link Finding#ERROR_SPREAD} once
 * (side output {@link #FINDINGS}), which the new-error pattern joins with the releases first seen.
 * Also at those instants, the sessions each ended window saw the error for the first time go out as
 * an {@link ErrorWindowCount} (side output {@link #WINDOW_COUNTS}), for the error-surge detection.
 * After that, {@code new-error.quiet} of event time without an occurrence emits a {@link
 * Finding#RECOVERED} for the same key, which resolves the alert.
 *
 * <p><b>Bounded state.</b> Sessions and users are kept exactly (id → first occurrence) up to {@code
 * max-tracked-ids} per group; beyond that the counts stop and {@code counts_capped} says they are
 * lower bounds (exact where it matters for triage, bounded where a storm would blow up state; an
 * HLL sketch would count past the cap but could not tell which sessions fell in the spread window).
 * Lists stop at {@code max-listed-values}. A group without an occurrence for {@code idle-ttl} is
 * dropped with all its timers by one cleanup timer, moved forward as errors come.
 *
 * <p>Known limits: an event accepted within the allowed lateness after its window was written
 * updates the group at the next window; it can move {@code first_seen} earlier. An old error that
 * occurs less often than once per {@code idle-ttl} is "new" again when it comes back.
 */
public class ErrorGroupTracker extends KeyedProcessFunction<String, RumEvent, ErrorGroup> {
    private static final long serialVersionUID = 1L;

    /** Spread and quiet findings, for the new-error pattern and the alert lifecycle. */
    public static final OutputTag<Finding> FINDINGS =
            new OutputTag<>("error-group-findings", TypeInformation.of(Finding.class));

    /**
     * Per window, the sessions hit by the group for the first time ({@link ErrorWindowCount}), for
     * the error-surge detection. Windows without a new session send nothing.
     */
    public static final OutputTag<ErrorWindowCount> WINDOW_COUNTS =
            new OutputTag<>("error-window-counts", TypeInformation.of(ErrorWindowCount.class));

    public static final String METRIC = "error_sessions";
    public static final String DIMENSION = "error_fingerprint";

    private final long windowMs;
    private final long idleTtlMs;
    private final int maxTrackedIds;
    private final int maxListed;
    private final int minSessions;
    private final long withinMs;
    private final long quietMs;

    private transient ValueState<ErrorGroup> group;
    private transient MapState<String, Long> sessions;
    private transient MapState<String, Boolean> users;
    private transient ValueState<Long> cleanupAt;
    private transient ValueState<Long> quietAt;
    private transient MapState<Long, ErrorWindowCount> newSessions;

    public ErrorGroupTracker(ErrorGroupsConfig cfg, Duration window) {
        this.windowMs = window.toMillis();
        this.idleTtlMs = cfg.idleTtl.toMillis();
        this.maxTrackedIds = cfg.maxTrackedIds;
        this.maxListed = cfg.maxListedValues;
        this.minSessions = cfg.newError.minSessions;
        this.withinMs = cfg.newError.within.toMillis();
        this.quietMs = cfg.newError.quiet.toMillis();
    }

    /** The events this operator groups: JS errors with a fingerprint, not from bots. */
    public static boolean relevant(RumEvent e) {
        return e.type == EventType.ERROR && e.errorFingerprint != null && !e.bot && e.app != null;
    }

    /** App and fingerprint. */
    public static final class Key implements KeySelector<RumEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RumEvent e) {
            return e.app + '\u0000' + e.errorFingerprint;
        }
    }

    /** The alert key of a group: one new-error alert per app and fingerprint. */
    public static String findingKey(String app, String fingerprint) {
        return app + "|" + DIMENSION + "|" + fingerprint + "|" + METRIC;
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        group = KeyedStates.value(runtime, "error-group", ErrorGroup.class);
        sessions = KeyedStates.map(runtime, "error-group-sessions", String.class, Long.class);
        users = KeyedStates.map(runtime, "error-group-users", String.class, Boolean.class);
        cleanupAt = KeyedStates.value(runtime, "error-group-cleanup", Long.class);
        quietAt = KeyedStates.value(runtime, "error-group-quiet", Long.class);
        newSessions =
                KeyedStates.map(
                        runtime, "error-group-new-sessions", Long.class, ErrorWindowCount.class);
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<ErrorGroup> out)
            throws Exception {
        if (!relevant(e)) {
            return;
        }
        ErrorGroup g = group.value();
        if (g == null) {
            g = new ErrorGroup();
            g.app = e.app;
            g.fingerprint = e.errorFingerprint;
            g.id = ErrorGroup.idOf(e.app, e.errorFingerprint);
            g.firstSeen = e.eventTime;
            g.lastSeen = e.eventTime;
            g.updateSeq = -1;
            sample(g, e);
        } else if (e.eventTime < g.firstSeen
                || (e.eventTime == g.firstSeen && e.eventId.compareTo(g.sampleEventId) < 0)) {
            g.firstSeen = e.eventTime;
            sample(g, e);
        }
        g.lastSeen = Math.max(g.lastSeen, e.eventTime);
        g.count++;
        g.weightedCount += e.weight();
        if (e.sessionId != null) {
            Long first = sessions.get(e.sessionId);
            if (first != null) {
                if (e.eventTime < first) sessions.put(e.sessionId, e.eventTime);
            } else if (g.sessions < maxTrackedIds) {
                sessions.put(e.sessionId, e.eventTime);
                g.sessions++;
                // Counted in the window of its first occurrence. Past max-tracked-ids a session
                // cannot be told from one already hit, so it is not counted: a group that big
                // stops feeding the surge detection rather than counting every occurrence.
                long w = windowEnd(e.eventTime) - windowMs;
                long watermark = ctx.timerService().currentWatermark();
                if (w + windowMs - 1 <= watermark) {
                    // Late (within the allowed lateness): its window's count went out already,
                    // and the surge detection decided it. Counted in the window still open, so
                    // every count is on time downstream and a replay of the recorded counts
                    // decides what the live run decided.
                    w = windowEnd(watermark + 1) - windowMs;
                    ctx.timerService().registerEventTimeTimer(w + windowMs - 1);
                }
                ErrorWindowCount c = newSessions.get(w);
                if (c == null) {
                    c = new ErrorWindowCount();
                    c.app = e.app;
                    c.fingerprint = e.errorFingerprint;
                    c.windowStart = w;
                    c.windowEnd = w + windowMs;
                }
                c.add(e);
                newSessions.put(w, c);
            } else {
                g.countsCapped = true;
            }
        }
        if (e.userId != null && !users.contains(e.userId)) {
            if (g.users < maxTrackedIds) {
                users.put(e.userId, Boolean.TRUE);
                g.users++;
            } else {
                g.countsCapped = true;
            }
        }
        add(g.releases, e.release);
        add(g.browsers, e.browser);
        add(g.routes, e.route);
        group.update(g);

        ctx.timerService().registerEventTimeTimer(windowEnd(e.eventTime) - 1);
        long cleanup = g.lastSeen + idleTtlMs;
        Long previous = cleanupAt.value();
        if (previous == null || previous < cleanup) {
            if (previous != null) ctx.timerService().deleteEventTimeTimer(previous);
            ctx.timerService().registerEventTimeTimer(cleanup);
            cleanupAt.update(cleanup);
        }
        Long quiet = quietAt.value();
        if (quiet != null && quiet < g.lastSeen + quietMs) {
            ctx.timerService().deleteEventTimeTimer(quiet);
            ctx.timerService().registerEventTimeTimer(g.lastSeen + quietMs);
            quietAt.update(g.lastSeen + quietMs);
        }
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<ErrorGroup> out) throws Exception {
        ErrorGroup g = group.value();
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup == ts) {
            // No occurrence for idle-ttl: every window timer fired long ago; the quiet one too
            // (quiet < idle-ttl, checked by the config).
            group.clear();
            sessions.clear();
            users.clear();
            newSessions.clear();
            cleanupAt.clear();
            quietAt.clear();
            return;
        }
        if (g == null) {
            return;
        }
        emitNewSessions(g, ts, ctx);
        Long quiet = quietAt.value();
        if (quiet != null && quiet == ts) {
            // A version goes out too: harmless when no window ended here, and a window timer
            // at the same instant is served.
            quietAt.clear();
            ctx.output(FINDINGS, quietFinding(g, ts));
        }
        g.updateSeq++;
        g.updatedAt = ts;
        if (g.spreadAt == null && ts < g.firstSeen + withinMs + windowMs) {
            long hit = sessionsInSpreadWindow(g, ts);
            if (hit >= minSessions) {
                g.spreadAt = ts;
                ctx.output(FINDINGS, spreadFinding(g, ts, hit));
                long q = g.lastSeen + quietMs;
                ctx.timerService().registerEventTimeTimer(q);
                quietAt.update(q);
            }
        }
        group.update(g);
        out.collect(g.copy());
    }

    /** The new sessions of the windows ended by {@code ts}, and forgets them. */
    private void emitNewSessions(ErrorGroup g, long ts, OnTimerContext ctx) throws Exception {
        List<Long> done = new ArrayList<>();
        for (Map.Entry<Long, ErrorWindowCount> w : newSessions.entries()) {
            if (w.getKey() + windowMs - 1 <= ts) {
                done.add(w.getKey());
            }
        }
        Collections.sort(done);
        for (long start : done) {
            ctx.output(WINDOW_COUNTS, newSessions.get(start));
            newSessions.remove(start);
        }
    }

    private long sessionsInSpreadWindow(ErrorGroup g, long watermark) throws Exception {
        long end = g.firstSeen + withinMs;
        long n = 0;
        for (Map.Entry<String, Long> s : sessions.entries()) {
            long t = s.getValue();
            if (t < end && t <= watermark) n++;
        }
        return n;
    }

    private Finding spreadFinding(ErrorGroup g, long ts, long hit) {
        Finding f = base(g, Finding.ERROR_SPREAD, ts);
        f.firstWindowStart = g.firstSeen - Math.floorMod(g.firstSeen, windowMs);
        f.lastWindowEnd = ts + 1;
        f.observed = hit;
        f.expected = 0.0;
        f.score = 1.0;
        f.direction = "up";
        f.windows = (int) Math.max(1, (f.lastWindowEnd - f.firstWindowStart) / windowMs);
        if (g.browsers.size() == 1 && !g.countsCapped) {
            // Every occurrence so far on one browser: the first thing to know, and what lets the
            // incident matcher tie the alert to a browser-scoped incident.
            f.related.add("browser=" + g.browsers.get(0));
        }
        return f;
    }

    private Finding quietFinding(ErrorGroup g, long ts) {
        Finding f = base(g, Finding.RECOVERED, ts);
        f.firstWindowStart = ts;
        f.lastWindowEnd = ts + 1;
        f.observed = 0;
        f.windows = 1;
        return f;
    }

    private static Finding base(ErrorGroup g, String kind, long ts) {
        Finding f = new Finding();
        f.kind = kind;
        f.app = g.app;
        f.key = findingKey(g.app, g.fingerprint);
        f.series = g.app + "|" + DIMENSION + "|" + g.fingerprint;
        f.dimension = DIMENSION;
        f.dimensionValue = g.fingerprint;
        f.metric = METRIC;
        f.metricKind = Finding.NEW_ERROR;
        f.release = g.firstRelease;
        f.detail = describe(g);
        f.at = ts;
        return f;
    }

    /** "TypeError: Cannot read …" (cut), for alert titles and hints. */
    static String describe(ErrorGroup g) {
        String text =
                g.errorType == null
                        ? g.message
                        : g.message == null ? g.errorType : g.errorType + ": " + g.message;
        if (text == null) return g.fingerprint;
        return text.length() > 120 ? text.substring(0, 119) + "…" : text;
    }

    private static void sample(ErrorGroup g, RumEvent e) {
        g.sampleEventId = e.eventId;
        g.errorType = e.errorType;
        g.message = e.errorMessage;
        g.stack = e.errorStack;
        g.firstRelease = e.release;
        g.firstRoute = e.route;
    }

    private void add(List<String> list, String value) {
        if (value == null || list.size() >= maxListed) return;
        int at = Collections.binarySearch(list, value);
        if (at < 0) list.add(-at - 1, value);
    }

    private long windowEnd(long t) {
        return t - Math.floorMod(t, windowMs) + windowMs;
    }
}
