package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.RumEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The running aggregate of one open session piece, and all session logic outside the Flink shell
 * ({@link SessionAssembler} only decides when to call it).
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
 *       forward window (the later of error-click and dead-click windows), when every on-time event
 *       that could change the decision has arrived; then the tail is pruned. An event behind the
 *       watermark (late) is decided against what the tail still holds: best effort.
 * </ul>
 *
 * <p><b>Frustration signals.</b> Rage click: counted once per burst, at the first click on a target
 * that has {@code rageClickCount} clicks on that target within {@code rageClickWindow} ending at
 * it, when the previous click on the same target did not. Error click: a click with a JS error at
 * the same time or within {@code errorClickWindow} after. Dead click: a click followed within
 * {@code deadClickWindow} by no fetch, page view or error. The SDK reports no DOM changes, so a
 * click that only toggles something on the page (a menu, a tab) looks dead: a known false positive,
 * which is why one dead click alone does not make a session {@code frustrated}.
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

    /** Tail entry kinds, in the low two bits of a tail code; clicks carry a target hash above. */
    static final int K_EFFECT = 0;

    static final int K_ERROR = 1;
    static final int K_CLICK = 2;

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

    /** Clicks at or before this time are decided; {@link #NONE} while none is. */
    public long settledUpTo = NONE;

    public int updateSeq;

    /** Changed since the last emission. */
    public boolean dirty;

    // ---- dimensions ----
    public int dimsOffset = Integer.MAX_VALUE;
    public String userId;
    public int userOffset = Integer.MAX_VALUE;
    public String release;
    public String environment;
    public String browser;
    public String browserVersion;
    public String os;
    public String deviceType;
    public String country;
    public String networkType;
    public Map<String, String> experiments;
    public double sampleRate = 1.0;
    public boolean anyBot;

    // ---- counts ----
    public int events;
    public int pageViews;
    public int actions;
    public int fetches;
    public int failedFetches;
    public int errors;
    public int lateEvents;
    public int rageClicks;
    public int errorClicks;
    public int deadClicks;

    // ---- routes ----
    public String landingRoute;
    public int landingOffset;
    public String exitRoute;
    public int exitOffset;

    // ---- parts that own their add, merge, copy and serialized section ----
    public SessionVitals vitals = new SessionVitals();
    public SessionTimeline timeline = new SessionTimeline();
    public SessionTraces traces = new SessionTraces();

    // ---- frustration-signal tail, sorted by (offset, code) ----
    public int tailSize;
    public int[] tailOffset;
    public int[] tailCode;

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
        dimensions(e, off);
        if (e.type == null) return;
        switch (e.type) {
            case PAGE_VIEW:
                pageViews++;
                routes(off, e.route);
                timeline.add(r, off, SessionTimeline.PAGE_VIEW, e.route, null);
                tail(r, off, K_EFFECT);
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
                    int hash = e.actionTarget == null ? 0 : e.actionTarget.hashCode();
                    tail(r, off, (hash << 2) | K_CLICK);
                }
                break;
            case ERROR:
                errors++;
                timeline.add(r, off, SessionTimeline.ERROR, e.route, errorDetail(e));
                tail(r, off, K_ERROR);
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
                tail(r, off, K_EFFECT);
                if (e.traceId != null && r.maxTraceIds > 0) traces.add(r, off, e.traceId);
                break;
            case WEB_VITAL:
                vitals.add(e.vitalName, e.vitalValue);
                break;
            default:
                break;
        }
    }

    private void dimensions(RumEvent e, int off) {
        if (off < dimsOffset) {
            dimsOffset = off;
            release = pick(e.release, release);
            environment = pick(e.environment, environment);
            browser = pick(e.browser, browser);
            browserVersion = pick(e.browserVersion, browserVersion);
            os = pick(e.os, os);
            deviceType = pick(e.deviceType, deviceType);
            country = pick(e.country, country);
            networkType = pick(e.networkType, networkType);
            if (e.experiments != null && !e.experiments.isEmpty()) experiments = e.experiments;
            sampleRate = e.sampleRate;
        } else {
            if (release == null) release = e.release;
            if (environment == null) environment = e.environment;
            if (browser == null) browser = e.browser;
            if (browserVersion == null) browserVersion = e.browserVersion;
            if (os == null) os = e.os;
            if (deviceType == null) deviceType = e.deviceType;
            if (country == null) country = e.country;
            if (networkType == null) networkType = e.networkType;
            if (experiments == null && e.experiments != null && !e.experiments.isEmpty()) {
                experiments = e.experiments;
            }
        }
        if (e.userId != null
                && (userId == null
                        || off < userOffset
                        || (off == userOffset && e.userId.compareTo(userId) < 0))) {
            userId = e.userId;
            userOffset = off;
        }
    }

    private static String pick(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
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

    // ---- frustration-signal tail ----

    private void tail(SessionRules r, int off, int code) {
        if (tailOffset == null) {
            tailOffset = new int[8];
            tailCode = new int[8];
        } else if (tailSize == tailOffset.length) {
            tailOffset = Arrays.copyOf(tailOffset, tailSize * 2);
            tailCode = Arrays.copyOf(tailCode, tailSize * 2);
        }
        int at = tailSize;
        while (at > 0
                && (tailOffset[at - 1] > off
                        || (tailOffset[at - 1] == off && tailCode[at - 1] > code))) {
            at--;
        }
        System.arraycopy(tailOffset, at, tailOffset, at + 1, tailSize - at);
        System.arraycopy(tailCode, at, tailCode, at + 1, tailSize - at);
        tailOffset[at] = off;
        tailCode[at] = code;
        tailSize++;
        if ((code & 3) == K_CLICK && settledUpTo != NONE && base + off <= settledUpTo) {
            // A late click: its neighbourhood was settled already; decide it now (best effort).
            decide(r, at);
        }
    }

    /**
     * Decides the clicks the watermark has passed by the forward window, and drops tail entries no
     * undecided click can need.
     */
    public void settle(long watermark, SessionRules r) {
        if (watermark == NONE || tailSize == 0) return;
        // An on-time event may still come at the watermark itself, and windows include their
        // end: a click is decided when its whole forward window is strictly behind.
        long horizon =
                watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark - r.forwardWindowMs - 1;
        if (settledUpTo != NONE && horizon <= settledUpTo) return;
        for (int i = 0; i < tailSize; i++) {
            long t = base + tailOffset[i];
            if (t > horizon) break;
            if ((tailCode[i] & 3) == K_CLICK && (settledUpTo == NONE || t > settledUpTo)) {
                decide(r, i);
            }
        }
        settledUpTo = horizon;
        if (horizon == Long.MAX_VALUE) {
            tailSize = 0;
            return;
        }
        // Errors and effects matter only to clicks at or before them, all decided up to the
        // horizon; clicks are looked back at by rage clicks up to two windows later.
        long keepClicksFrom = horizon - r.retentionMs;
        int kept = 0;
        for (int i = 0; i < tailSize; i++) {
            long t = base + tailOffset[i];
            boolean click = (tailCode[i] & 3) == K_CLICK;
            if (click ? t >= keepClicksFrom : t > horizon) {
                tailOffset[kept] = tailOffset[i];
                tailCode[kept] = tailCode[i];
                kept++;
            }
        }
        tailSize = kept;
    }

    private void decide(SessionRules r, int i) {
        int off = tailOffset[i];
        int target = tailCode[i];
        if (rageHit(r, i)) {
            int prev = -1;
            for (int j = i - 1; j >= 0; j--) {
                if (tailCode[j] == target) {
                    prev = j;
                    break;
                }
            }
            if (prev < 0 || !rageHit(r, prev)) rageClicks++;
        }
        boolean errorAfter = false;
        boolean effectAfter = false;
        for (int j = 0; j < tailSize; j++) {
            int d = tailOffset[j] - off;
            if (d < 0 || j == i) continue;
            int kind = tailCode[j] & 3;
            if (kind == K_ERROR && d <= r.errorClickWindowMs) errorAfter = true;
            if ((kind == K_ERROR || kind == K_EFFECT) && d <= r.deadClickWindowMs) {
                effectAfter = true;
            }
            if (d > r.forwardWindowMs) break;
        }
        if (errorAfter) errorClicks++;
        if (!effectAfter) deadClicks++;
    }

    /** At least rageClickCount clicks on this target within the window ending at click i. */
    private boolean rageHit(SessionRules r, int i) {
        int target = tailCode[i];
        int from = tailOffset[i] - r.rageClickWindowMs;
        int n = 0;
        for (int j = i; j >= 0 && tailOffset[j] >= from; j--) {
            if (tailCode[j] == target && ++n >= r.rageClickCount) return true;
        }
        return false;
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
        o.userId = userId;
        o.release = release;
        o.environment = environment;
        o.browser = browser;
        o.browserVersion = browserVersion;
        o.os = os;
        o.deviceType = deviceType;
        o.country = country;
        o.networkType = networkType;
        o.experiments = experiments == null ? null : new HashMap<>(experiments);
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
        o.rageClicks = rageClicks;
        o.errorClicks = errorClicks;
        o.deadClicks = deadClicks;
        o.frustrated = rageClicks > 0 || errorClicks > 0 || deadClicks >= 2;
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
        o.sampleRate = sampleRate;
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
        rageClicks += o.rageClicks;
        errorClicks += o.errorClicks;
        deadClicks += o.deadClicks;
        dirty |= o.dirty;
        anyBot |= o.anyBot;
        if (o.dimsOffset != Integer.MAX_VALUE) {
            RumEvent dims = new RumEvent();
            dims.release = o.release;
            dims.environment = o.environment;
            dims.browser = o.browser;
            dims.browserVersion = o.browserVersion;
            dims.os = o.os;
            dims.deviceType = o.deviceType;
            dims.country = o.country;
            dims.networkType = o.networkType;
            dims.experiments = o.experiments;
            dims.sampleRate = o.sampleRate;
            dims.userId = null;
            dimensions(dims, o.dimsOffset + delta);
        }
        int userOff = o.userOffset + delta;
        if (o.userId != null
                && (userId == null
                        || userOff < userOffset
                        || (userOff == userOffset && o.userId.compareTo(userId) < 0))) {
            userId = o.userId;
            userOffset = userOff;
        }
        if (o.landingRoute != null) routes(o.landingOffset + delta, o.landingRoute);
        if (o.exitRoute != null) routes(o.exitOffset + delta, o.exitRoute);
        vitals.merge(o.vitals);
        timeline.merge(o.timeline, r, delta);
        traces.merge(o.traces, r, delta);
        for (int i = 0; i < o.tailSize; i++) tail(r, o.tailOffset[i] + delta, o.tailCode[i]);
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
        c.settledUpTo = settledUpTo;
        c.updateSeq = updateSeq;
        c.dirty = dirty;
        c.dimsOffset = dimsOffset;
        c.userId = userId;
        c.userOffset = userOffset;
        c.release = release;
        c.environment = environment;
        c.browser = browser;
        c.browserVersion = browserVersion;
        c.os = os;
        c.deviceType = deviceType;
        c.country = country;
        c.networkType = networkType;
        c.experiments = experiments == null ? null : new HashMap<>(experiments);
        c.sampleRate = sampleRate;
        c.anyBot = anyBot;
        c.events = events;
        c.pageViews = pageViews;
        c.actions = actions;
        c.fetches = fetches;
        c.failedFetches = failedFetches;
        c.errors = errors;
        c.lateEvents = lateEvents;
        c.rageClicks = rageClicks;
        c.errorClicks = errorClicks;
        c.deadClicks = deadClicks;
        c.landingRoute = landingRoute;
        c.landingOffset = landingOffset;
        c.exitRoute = exitRoute;
        c.exitOffset = exitOffset;
        c.vitals = vitals.copy();
        c.timeline = timeline.copy();
        c.traces = traces.copy();
        c.tailSize = tailSize;
        if (tailOffset != null) {
            c.tailOffset = tailOffset.clone();
            c.tailCode = tailCode.clone();
        }
        return c;
    }

    /** Equal content (ignores spare array capacity); for serializer round-trip tests. */
    public boolean sameAs(SessionState o) {
        if (base != o.base
                || start != o.start
                || end != o.end
                || idStart != o.idStart
                || timerAt != o.timerAt
                || nextUpdateAt != o.nextUpdateAt
                || settledUpTo != o.settledUpTo
                || updateSeq != o.updateSeq
                || dirty != o.dirty
                || dimsOffset != o.dimsOffset
                || userOffset != o.userOffset
                || Double.compare(sampleRate, o.sampleRate) != 0
                || anyBot != o.anyBot
                || events != o.events
                || pageViews != o.pageViews
                || actions != o.actions
                || fetches != o.fetches
                || failedFetches != o.failedFetches
                || errors != o.errors
                || lateEvents != o.lateEvents
                || rageClicks != o.rageClicks
                || errorClicks != o.errorClicks
                || deadClicks != o.deadClicks
                || landingOffset != o.landingOffset
                || exitOffset != o.exitOffset
                || tailSize != o.tailSize
                || !vitals.sameAs(o.vitals)
                || !timeline.sameAs(o.timeline)
                || !traces.sameAs(o.traces)) {
            return false;
        }
        if (!Objects.equals(userId, o.userId)
                || !Objects.equals(release, o.release)
                || !Objects.equals(environment, o.environment)
                || !Objects.equals(browser, o.browser)
                || !Objects.equals(browserVersion, o.browserVersion)
                || !Objects.equals(os, o.os)
                || !Objects.equals(deviceType, o.deviceType)
                || !Objects.equals(country, o.country)
                || !Objects.equals(networkType, o.networkType)
                || !Objects.equals(experiments, o.experiments)
                || !Objects.equals(landingRoute, o.landingRoute)
                || !Objects.equals(exitRoute, o.exitRoute)) {
            return false;
        }
        for (int i = 0; i < tailSize; i++) {
            if (tailOffset[i] != o.tailOffset[i] || tailCode[i] != o.tailCode[i]) return false;
        }
        return true;
    }
}
