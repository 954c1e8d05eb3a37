package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import java.util.Arrays;

/**
 * The recent views of one session (document loads and single-page route changes) in event-time
 * order, and which route an event of that session happened on. Plain Java: {@link
 * ViewRouteAssigner} holds one per session as keyed state (a POJO: public arrays, no Kryo).
 *
 * <p>Why: SDKs batch events and stamp each batch with the page that is current when it is sent
 * (Faro's {@code meta.page.url} is {@code location.href}). In a multi-page app that is the page the
 * events happened on; in a single-page app a batch sent after a route change carries fetches,
 * errors and clicks of earlier routes (docs/DISCUSSION.md, "SPA fetches on the route they were made
 * on"). So, once a session has a route change, an event goes on the route of the last view at or
 * before its own time; a session without route changes is left exactly as it was sent.
 *
 * <p>Document-load vitals (TTFB, FCP, LCP) belong to the document load even when reported after a
 * route change (LCP is finalized at the first click, which is often the click that changes route):
 * they go on the route of the last document load at or before them.
 *
 * <p>Bounded: views that can no longer govern an accepted event (older than the last view before
 * the lateness horizon) are pruned, and at most {@link #MAX_VIEWS} are kept, the newest.
 */
public class ViewHistory {
    /** Upper bound on views kept per session: a hostile page cannot grow state without limit. */
    public static final int MAX_VIEWS = 32;

    /** View start times (event time, ms), ascending; ties keep arrival order. */
    public long[] at = new long[0];

    /** The view's route template, as enrichment set it. */
    public String[] routes = new String[0];

    /** true: a document load; false: a single-page route change. */
    public boolean[] documentLoad = new boolean[0];

    /** A route change was seen in this session: from then on events are placed by time. */
    public boolean singlePage;

    /** Latest event time seen in the session (views or not), for the clean-up timer. */
    public long lastSeen = Long.MIN_VALUE;

    /**
     * Latest event time of the session's non-view events seen since it had a view, or {@link
     * Long#MIN_VALUE}: tells whether a late view may govern events already released (counted, not
     * re-routed; see {@link ViewRouteAssigner}). A field added after the first release: a history
     * restored from an older savepoint gets the constructor's value (POJO evolution).
     */
    public long lastEventAt = Long.MIN_VALUE;

    /** The armed clean-up timer, or {@link Long#MIN_VALUE} when none. */
    public long cleanupTimer = Long.MIN_VALUE;

    public ViewHistory() {}

    public int size() {
        return at.length;
    }

    /** Adds a page view; a view with no route (enrichment could not set one) governs nothing. */
    public void add(RumEvent view) {
        if (view.route == null) {
            return;
        }
        if (view.routeChange) {
            singlePage = true;
        }
        int n = at.length;
        int i = n;
        while (i > 0 && at[i - 1] > view.eventTime) {
            i--;
        }
        at = insert(at, i, view.eventTime);
        routes = insert(routes, i, view.route);
        documentLoad = insert(documentLoad, i, !view.routeChange);
        if (at.length > MAX_VIEWS) {
            drop(at.length - MAX_VIEWS);
        }
    }

    /**
     * The route {@code e} happened on, or {@code null} to keep its own: page views keep theirs, as
     * do events of a session without route changes and events before the session's first view.
     */
    public String routeOf(RumEvent e) {
        if (e.type == EventType.PAGE_VIEW || !singlePage) {
            return null;
        }
        boolean loadVital =
                e.type == EventType.WEB_VITAL
                        && ("TTFB".equals(e.vitalName)
                                || "FCP".equals(e.vitalName)
                                || "LCP".equals(e.vitalName));
        for (int i = at.length - 1; i >= 0; i--) {
            if (at[i] <= e.eventTime && (!loadVital || documentLoad[i])) {
                return routes[i];
            }
        }
        return null;
    }

    /**
     * Forgets views that can no longer govern an event: events older than {@code horizon} are
     * rejected as late before this stage, so only the last view at or before it (and the last
     * document load at or before it, for load vitals) and the views after it still matter.
     */
    public void prune(long horizon) {
        int lastBefore = -1;
        int lastLoadBefore = -1;
        for (int i = 0; i < at.length && at[i] <= horizon; i++) {
            lastBefore = i;
            if (documentLoad[i]) lastLoadBefore = i;
        }
        if (lastBefore <= 0) {
            return;
        }
        // Keep lastLoadBefore (when it is older than lastBefore) and everything from lastBefore.
        int keepFrom = lastLoadBefore >= 0 ? Math.min(lastLoadBefore, lastBefore) : lastBefore;
        if (lastLoadBefore >= 0 && lastLoadBefore < lastBefore) {
            // Remove the route changes between the kept document load and lastBefore.
            int removed = lastBefore - lastLoadBefore - 1;
            if (removed > 0) {
                removeRange(lastLoadBefore + 1, lastBefore);
            }
        }
        drop(keepFrom);
    }

    /** Removes the oldest {@code k} views. */
    private void drop(int k) {
        if (k <= 0) return;
        at = Arrays.copyOfRange(at, k, at.length);
        routes = Arrays.copyOfRange(routes, k, routes.length);
        documentLoad = Arrays.copyOfRange(documentLoad, k, documentLoad.length);
    }

    /** Removes views [from, to). */
    private void removeRange(int from, int to) {
        int n = at.length - (to - from);
        long[] a = new long[n];
        String[] r = new String[n];
        boolean[] d = new boolean[n];
        System.arraycopy(at, 0, a, 0, from);
        System.arraycopy(routes, 0, r, 0, from);
        System.arraycopy(documentLoad, 0, d, 0, from);
        System.arraycopy(at, to, a, from, at.length - to);
        System.arraycopy(routes, to, r, from, at.length - to);
        System.arraycopy(documentLoad, to, d, from, at.length - to);
        at = a;
        routes = r;
        documentLoad = d;
    }

    private static long[] insert(long[] a, int i, long v) {
        long[] b = withGap(a, new long[a.length + 1], i, a.length);
        b[i] = v;
        return b;
    }

    private static String[] insert(String[] a, int i, String v) {
        String[] b = withGap(a, new String[a.length + 1], i, a.length);
        b[i] = v;
        return b;
    }

    private static boolean[] insert(boolean[] a, int i, boolean v) {
        boolean[] b = withGap(a, new boolean[a.length + 1], i, a.length);
        b[i] = v;
        return b;
    }

    /**
     * Copies the {@code length} elements of {@code a} into {@code b} (one longer), leaving index
     * {@code i} free: one copy for the three array kinds the history keeps.
     */
    private static <A> A withGap(A a, A b, int i, int length) {
        System.arraycopy(a, 0, b, 0, i);
        System.arraycopy(a, i, b, i + 1, length - i);
        return b;
    }
}
