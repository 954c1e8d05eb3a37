package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The running aggregate of one open session piece, and all session logic outside the Flink shell
 * ({@link SessionAssembler} only decides when to call it). Its parts each own their add, merge,
 * copy and section of the byte format: {@link SessionDimensions}, {@link SessionVitals}, {@link
 * SessionTimeline}, {@link SessionTraces} and {@link SessionClicks} (frustration signals); this
 * class keeps the times, counts and routes and hands each event to the parts.
 *
 * <p><b>Order independence.</b> Every part of the final record is a function of the set of events,
 * not of their arrival order, so events that arrive out of order within the watermark bound give
 * the same record:
 *
 * <ul>
 *   <li>counts, start, end: sums, min and max;
 *   <li>landing / exit route: the page view with the smallest / largest (time, route);
 *   <li>dimensions: those of the earliest event; one it lacks is filled from any event that has it
 *       (the user id: from the earliest event that has one);
 *   <li>timeline and trace ids: the first N by (time, type, route, detail) / (time, id), kept
 *       sorted;
 *   <li>web vitals: per vital, the count and the 32 largest values ({@link SessionVitals}). Worst
 *       is the largest; p75 (nearest rank) needs only the top quarter of the values, so it is exact
 *       up to 128 values of one vital in a session (far beyond a real session) and above that
 *       reports the smallest kept value, an overestimate. Values are stored as int: ms for LCP,
 *       INP, FCP and TTFB, 1/10000 for CLS.
 *   <li>frustration signals need neighbouring clicks, errors and effects. Those are kept in a short
 *       time-sorted tail and a click is decided only once the watermark has passed it by its
 *       forward window ({@link SessionClicks}).
 * </ul>
 *
 * <p><b>Bots.</b> A session is a bot when any event's user agent was classified as a bot, or when
 * it has at least {@value #BOT_MIN_PAGE_VIEWS} page views at more than {@value
 * #BOT_PAGE_VIEWS_PER_MINUTE} per minute over its duration (counted over at least one minute): no
 * person reads a page a second for minutes. A fast human clicking through a wizard stays well below
 * it.
 *
 * <p><b>State size.</b> Times are int offsets (ms) from {@link #base}, the first event time seen;
 * {@link SessionStateSerializer} writes them as varints, strings once per session, trace ids as 16
 * bytes. A typical 20-event session serializes to about 250 bytes (see SessionStateTest).
 */
public class SessionState {
    public static final long NONE = Long.MIN_VALUE;
    static final int MAX_DETAIL_CHARS = 64;
    static final int BOT_MIN_PAGE_VIEWS = 120;
    static final int BOT_PAGE_VIEWS_PER_MINUTE = 60;

    // ---- time ----
    /** First event time seen; every offset below is relative to it. */
    public long base;

    public long start;
    public long end;

    /** Start used in the document id, frozen at the first emission; {@link #NONE} before. */
    public long idStart = NONE;

    /** The one event-time timer registered for this key, or {@link #NONE}. */
    public long timerAt = NONE;

    public long nextUpdateAt = NONE;

    public int updateSeq;

    /** Changed since the last emission. */
    public boolean dirty;

    public boolean anyBot;

    // ---- counts ----
    public int events;
    public int pageViews;
    public int actions;
    public int fetches;
    public int failedFetches;
    public int errors;
    public int lateEvents;

    // ---- routes ----
    public String landingRoute;
    public int landingOffset;
    public String exitRoute;
    public int exitOffset;

    // ---- parts that own their add, merge, copy and serialized section ----
    public SessionDimensions dims = new SessionDimensions();
    public SessionVitals vitals = new SessionVitals();
    public SessionTimeline timeline = new SessionTimeline();
    public SessionTraces traces = new SessionTraces();
    public SessionClicks clicks = new SessionClicks();

    /** The per-arm summaries for the comparisons (not part of the record). */
    public SessionArms arms = new SessionArms();

    public SessionState() {}

    /** A new piece whose first event is at {@code t}. */
    public static SessionState startingAt(long t) {
        SessionState s = new SessionState();
        s.base = t;
        s.start = t;
        s.end = t;
        return s;
    }

    int offset(long t) {
        long d = t - base;
        // Config keeps pieces within 7 days, so this never saturates in practice.
        return d > Integer.MAX_VALUE
                ? Integer.MAX_VALUE
                : d < Integer.MIN_VALUE + 1 ? Integer.MIN_VALUE + 1 : (int) d;
    }

    // =====================================================================================
    // add
    // =====================================================================================

    /** Folds one event in. {@code late}: it arrived behind the watermark. */
    public void add(RumEvent e, SessionRules r, boolean late) {
        long t = e.eventTime;
        int off = offset(t);
        if (t < start) start = t;
        if (t > end) end = t;
        events++;
        if (late) lateEvents++;
        dirty = true;
        if (e.bot) anyBot = true;
        dims.add(e, off);
        if (e.type == null) return;
        switch (e.type) {
            case PAGE_VIEW:
                pageViews++;
                routes(off, e.route);
                timeline.add(r, off, SessionTimeline.PAGE_VIEW, e.route, null);
                clicks.effect(r, base, off);
                break;
            case ACTION:
                actions++;
                timeline.add(
                        r,
                        off,
                        SessionTimeline.ACTION,
                        e.route,
                        cut(e.actionName != null ? e.actionName : e.actionTarget));
                if (e.actionType == null || "click".equals(e.actionType)) {
                    clicks.click(r, base, off, e.actionTarget);
                }
                break;
            case ERROR:
                errors++;
                timeline.add(r, off, SessionTimeline.ERROR, e.route, errorDetail(e));
                clicks.error(r, base, off);
                break;
            case FETCH:
                fetches++;
                if (e.isFailedFetch()) {
                    failedFetches++;
                    timeline.add(
                            r,
                            off,
                            SessionTimeline.FETCH,
                            e.route,
                            cut(
                                    (e.fetchMethod == null ? "" : e.fetchMethod + " ")
                                            + e.fetchStatus));
                }
                clicks.effect(r, base, off);
                if (e.traceId != null && r.maxTraceIds > 0) traces.add(r, off, e.traceId);
                break;
            case WEB_VITAL:
                vitals.add(e.vitalName, e.vitalValue);
                break;
            default:
                break;
        }
    }

    private void routes(int off, String route) {
        if (route == null) return;
        if (landingRoute == null
                || off < landingOffset
                || (off == landingOffset && route.compareTo(landingRoute) < 0)) {
            landingRoute = route;
            landingOffset = off;
        }
        if (exitRoute == null
                || off > exitOffset
                || (off == exitOffset && route.compareTo(exitRoute) > 0)) {
            exitRoute = route;
            exitOffset = off;
        }
    }

    static String cut(String s) {
        return s == null || s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS);
    }

    private static String errorDetail(RumEvent e) {
        if (e.errorType == null) return cut(e.errorMessage);
        if (e.errorMessage == null) return cut(e.errorType);
        return cut(e.errorType + ": " + e.errorMessage);
    }

    /**
     * Decides the clicks the watermark has passed by the forward window, and drops tail entries no
     * undecided click can need ({@link SessionClicks#settle}).
     */
    public void settle(long watermark, SessionRules r) {
        clicks.settle(base, watermark, r);
    }

    // =====================================================================================
    // output
    // =====================================================================================

    /** The record for this piece now; does not change the state. */
    public SessionRecord toRecord(
            String app, String sessionId, boolean closed, String endReason, int seq) {
        SessionRecord o = new SessionRecord();
        long keyStart = idStart != NONE ? idStart : start;
        o.sessionKey = app + ":" + sessionId + ":" + keyStart;
        o.app = app;
        o.sessionId = sessionId;
        dims.fill(o);
        o.start = start;
        o.end = end;
        o.durationMs = end - start;
        o.closed = closed;
        o.endReason = endReason;
        o.updateSeq = seq;
        o.events = events;
        o.pageViews = pageViews;
        o.actions = actions;
        o.fetches = fetches;
        o.failedFetches = failedFetches;
        o.errors = errors;
        o.lateEvents = lateEvents;
        o.landingRoute = landingRoute;
        o.exitRoute = exitRoute;
        o.bounce = pageViews == 1 && actions == 0;
        o.lcpWorst = ms(vitals.worst(SessionVitals.LCP));
        o.lcpP75 = ms(vitals.p75(SessionVitals.LCP));
        o.inpWorst = ms(vitals.worst(SessionVitals.INP));
        o.inpP75 = ms(vitals.p75(SessionVitals.INP));
        o.clsWorst = cls(vitals.worst(SessionVitals.CLS));
        o.clsP75 = cls(vitals.p75(SessionVitals.CLS));
        o.fcpP75 = ms(vitals.p75(SessionVitals.FCP));
        o.ttfbP75 = ms(vitals.p75(SessionVitals.TTFB));
        o.rageClicks = clicks.rageClicks;
        o.errorClicks = clicks.errorClicks;
        o.deadClicks = clicks.deadClicks;
        o.frustrated = clicks.frustrated();
        SessionTimeline t = timeline;
        List<TimelineEntry> tl = new ArrayList<>(t.size);
        for (int i = 0; i < t.size; i++) {
            tl.add(
                    new TimelineEntry(
                            base + t.offset[i],
                            SessionTimeline.NAMES[t.type[i]],
                            t.route[i],
                            t.detail[i]));
        }
        o.timeline = tl;
        List<String> ids = new ArrayList<>(traces.size);
        for (int i = 0; i < traces.size; i++) ids.add(traces.ids[i]);
        o.traceIds = ids;
        o.bot = anyBot || behavesLikeBot();
        return o;
    }

    boolean behavesLikeBot() {
        if (pageViews < BOT_MIN_PAGE_VIEWS) return false;
        long minutesTimes60k = Math.max(end - start, 60_000L);
        return (long) pageViews * 60_000L > BOT_PAGE_VIEWS_PER_MINUTE * minutesTimes60k;
    }

    private static Double ms(int units) {
        return units < 0 ? null : (double) units;
    }

    private static Double cls(int units) {
        return units < 0 ? null : units / (double) SessionVitals.CLS_SCALE;
    }

    // =====================================================================================
    // merge and copy
    // =====================================================================================

    /**
     * Adds another piece of the same session (used by the merging-window variant in the benchmark).
     * Exact for pieces whose clicks are not yet decided, which is how window accumulators use it:
     * they never see a watermark.
     */
    public void merge(SessionState o, SessionRules r) {
        int delta = offset(o.base);
        start = Math.min(start, o.start);
        end = Math.max(end, o.end);
        events += o.events;
        pageViews += o.pageViews;
        actions += o.actions;
        fetches += o.fetches;
        failedFetches += o.failedFetches;
        errors += o.errors;
        lateEvents += o.lateEvents;
        dirty |= o.dirty;
        anyBot |= o.anyBot;
        dims.merge(o.dims, delta);
        if (o.landingRoute != null) routes(o.landingOffset + delta, o.landingRoute);
        if (o.exitRoute != null) routes(o.exitOffset + delta, o.exitRoute);
        vitals.merge(o.vitals);
        timeline.merge(o.timeline, r, delta);
        traces.merge(o.traces, r, delta);
        clicks.merge(o.clicks, r, base, delta);
        arms.merge(o.arms);
    }

    /** A deep copy (the heap state backend copies state for asynchronous snapshots). */
    public SessionState copy() {
        SessionState c = new SessionState();
        c.base = base;
        c.start = start;
        c.end = end;
        c.idStart = idStart;
        c.timerAt = timerAt;
        c.nextUpdateAt = nextUpdateAt;
        c.updateSeq = updateSeq;
        c.dirty = dirty;
        c.anyBot = anyBot;
        c.events = events;
        c.pageViews = pageViews;
        c.actions = actions;
        c.fetches = fetches;
        c.failedFetches = failedFetches;
        c.errors = errors;
        c.lateEvents = lateEvents;
        c.landingRoute = landingRoute;
        c.landingOffset = landingOffset;
        c.exitRoute = exitRoute;
        c.exitOffset = exitOffset;
        c.dims = dims.copy();
        c.vitals = vitals.copy();
        c.timeline = timeline.copy();
        c.traces = traces.copy();
        c.clicks = clicks.copy();
        c.arms = arms.copy();
        return c;
    }

    /** Equal content (ignores spare array capacity); for serializer round-trip tests. */
    public boolean sameAs(SessionState o) {
        return base == o.base
                && start == o.start
                && end == o.end
                && idStart == o.idStart
                && timerAt == o.timerAt
                && nextUpdateAt == o.nextUpdateAt
                && updateSeq == o.updateSeq
                && dirty == o.dirty
                && anyBot == o.anyBot
                && events == o.events
                && pageViews == o.pageViews
                && actions == o.actions
                && fetches == o.fetches
                && failedFetches == o.failedFetches
                && errors == o.errors
                && lateEvents == o.lateEvents
                && landingOffset == o.landingOffset
                && exitOffset == o.exitOffset
                && Objects.equals(landingRoute, o.landingRoute)
                && Objects.equals(exitRoute, o.exitRoute)
                && dims.sameAs(o.dims)
                && vitals.sameAs(o.vitals)
                && timeline.sameAs(o.timeline)
                && traces.sameAs(o.traces)
                && clicks.sameAs(o.clicks)
                && arms.sameAs(o.arms);
    }
}
