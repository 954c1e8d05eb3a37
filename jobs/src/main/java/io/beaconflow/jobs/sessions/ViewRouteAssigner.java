package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.RumEventSerializer;
import io.beaconflow.jobs.state.WriteBehindCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Puts each event of a single-page app on the route it happened on: the route of the last view
 * (document load or route change) at or before the event's own time in its session ({@link
 * ViewHistory} holds the rule and why). Page views, and every event of a session without route
 * changes, keep their own route. Every consumer that reports a route reads its output: the metric
 * aggregates, sessions (timeline), error groups, rage clicks and the trace join.
 *
 * <p>Event time: an event is held until the watermark reaches its time, so that a view sent later
 * than the event (out of order, within the watermark's bounded out-of-orderness) still places it;
 * an event already behind the watermark (late, within the allowed lateness) is placed at once with
 * the views known. A view enters the history on arrival but is held too, so that a session's events
 * leave in event-time order (a view overtaking earlier events could make the session assembler cut
 * a session at the wrong place). Held events wait in a map by event time, one event-time timer per
 * session and distinct event millisecond, and leave when the watermark reaches their own time,
 * before that watermark goes on. So downstream every event still arrives before the first watermark
 * at or after its time, as it did straight from ingest: no consumer sees an on-time event as late
 * (the session assembler counts late events, the trace join and rage-click detector replay by event
 * time), and a metric window of any length sees the same events at the same watermarks.
 *
 * <p><b>A view behind the watermark</b> (a late beacon, within the allowed lateness) is a view like
 * any other: being behind the watermark it passes at once (the metrics and the session count it as
 * a view of its route), and it governs the events still held after it. Events the watermark already
 * passed were emitted with the route known then and are not re-routed: their consumers have counted
 * them, and moving them would need a retraction in every output. The counters say how often this
 * happens: {@code lateViews} (views behind the watermark on arrival) and {@code
 * lateViewsAfterTheirEvents} (of those, the ones whose session had already sent a non-view event at
 * or after the view's time: the views whose released events may sit on the previous route; an upper
 * bound, since those events may also still be held, or belong to a later view).
 *
 * <p>State per session: the {@link ViewHistory} (pruned to the views that can still govern an
 * accepted event, at most {@link ViewHistory#MAX_VIEWS}), the held events, and one clean-up timer
 * at the last event + {@code sessions.gap} (when the session assembler closes the session) that
 * clears the history. Keyed by session on the partitioning of ingest (no shuffle), chained to it.
 *
 * <p>An operator rather than a {@code KeyedProcessFunction}: a held event leaves with its own
 * timestamp, not its timer's (a process function stamps timer output with the timer time).
 *
 * <p><b>Held events on the heap, written behind.</b> With {@code sessions.state-cache} > 0 the held
 * events of up to that many sessions (least recently used beyond it) stay on the heap and reach the
 * {@code view-held-events} state only before a snapshot ({@link #prepareSnapshotPreBarrier}), in
 * {@link #finish()}, or when their session is evicted; a bucket released before any of these never
 * touches the backend. Why: on RocksDB every held event cost a read and a rewrite of its bucket's
 * whole {@code List<RumEvent>} and another read at release (docs/benchmarks.md, "Session 2026-12-03
 * (2)"). Each snapshot holds exactly the buckets, lists and timers the uncached operator holds at
 * that point (same state, serializer and order), so savepoints restore either way. Invariant: a
 * cached session has all its held buckets on the heap; a session whose buckets are only in the
 * backend (evicted, or restored) is listed in {@code heldInBackendOnly} and loaded whole (one
 * prefix scan) when it is next needed.
 *
 * <p><b>View histories on the heap, written behind.</b> With the same setting the {@code
 * view-history} values of up to that many sessions sit in a {@link WriteBehindCache} (least
 * recently used beyond it written to the backend), flushed at the same points as the held events.
 * Why: every event read its session's history and every non-view event and view rewrote it, a
 * RocksDB get with a POJO deserialization and a put with a serialization per event: the largest
 * single cost of the first operator chain on RocksDB (docs/benchmarks.md, "Session 2026-12-04"). A
 * snapshot holds the histories the uncached operator holds (same state, POJO serializer, value).
 *
 * <p>Counters: {@code eventsRerouted} (events whose route was changed), {@code lateViews}, {@code
 * lateViewsAfterTheirEvents}.
 */
public class ViewRouteAssigner extends AbstractStreamOperator<RumEvent>
        implements OneInputStreamOperator<RumEvent, RumEvent>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    /** Operator uid (pinned in the production uid list). */
    public static final String UID = "sessions-view-routes";

    private static final long CLEANUP_GRANULARITY_MS = 60_000;

    private final long gapMs;
    private final long allowedLatenessMs;
    private final int heldCache;

    /** The keyed state; read and written only through the methods below. */
    private transient ValueState<ViewHistory> history;

    /** The histories on the heap in front of {@link #history}; null when the cache is off. */
    private transient WriteBehindCache<String, ViewHistory> histories;

    private transient MapState<Long, List<RumEvent>> held;
    private transient Counter rerouted;
    private transient Counter lateViews;
    private transient Counter lateViewsAfterTheirEvents;
    private transient InternalTimerService<VoidNamespace> timers;

    /**
     * Sessions' held buckets on the heap, least recently used first; null when the cache is off.
     */
    private transient LinkedHashMap<String, Map<Long, Bucket>> cached;

    /** Sessions with held buckets in the backend and none on the heap (evicted or restored). */
    private transient Set<String> heldInBackendOnly;

    /** The heap backend keeps the objects it is given: lists are copied when written to it. */
    private transient boolean copyOnWrite;

    private transient long backendWrites;

    /** One held bucket on the heap: its events in arrival order. */
    private static final class Bucket {
        final List<RumEvent> events;

        /** Changed since last written to (or read from) the backend. */
        boolean dirty;

        /** The backend holds a (possibly older) list for it, to be removed at release. */
        boolean inBackend;

        Bucket(List<RumEvent> events) {
            this.events = events;
        }
    }

    /**
     * @param gap {@code sessions.gap}: after this much event-time inactivity the session is closed
     *     and its views forgotten
     * @param allowedLateness {@code ingest.allowed-lateness}: older events never reach this stage,
     *     so older views only matter as the last one before the horizon
     */
    public ViewRouteAssigner(Duration gap, Duration allowedLateness) {
        this(gap, allowedLateness, SessionConfig.DEFAULT_STATE_CACHE);
    }

    /**
     * @param heldCache {@code sessions.state-cache}: sessions whose held events, and sessions whose
     *     view histories, stay on the heap per subtask (0: none, every event reads and writes the
     *     keyed state)
     */
    public ViewRouteAssigner(Duration gap, Duration allowedLateness, int heldCache) {
        if (heldCache < 0) throw new IllegalArgumentException("heldCache must be >= 0");
        this.gapMs = gap.toMillis();
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.heldCache = heldCache;
    }

    /** The held events: per session, release time → events in arrival order (tests read it). */
    static MapStateDescriptor<Long, List<RumEvent>> heldDescriptor() {
        return new MapStateDescriptor<>(
                HELD_STATE, Types.LONG, new ListTypeInfo<>(TypeInformation.of(RumEvent.class)));
    }

    static final String HELD_STATE = "view-held-events";

    static final String HISTORY_STATE = "view-history";

    /** The views per session (tests read it). */
    static ValueStateDescriptor<ViewHistory> historyDescriptor() {
        return new ValueStateDescriptor<>(HISTORY_STATE, TypeInformation.of(ViewHistory.class));
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers =
                getInternalTimerService(
                        "view-route-timers", VoidNamespaceSerializer.INSTANCE, this);
        ValueStateDescriptor<ViewHistory> historyDescriptor = historyDescriptor();
        history = getRuntimeContext().getState(historyDescriptor);
        held = getRuntimeContext().getMapState(heldDescriptor());
        rerouted = getRuntimeContext().getMetricGroup().counter("eventsRerouted");
        lateViews = getRuntimeContext().getMetricGroup().counter("lateViews");
        lateViewsAfterTheirEvents =
                getRuntimeContext().getMetricGroup().counter("lateViewsAfterTheirEvents");
        if (heldCache > 0) {
            cached = new LinkedHashMap<>(Math.min(heldCache, 1 << 16), 0.75f, true);
            copyOnWrite = !getKeyedStateBackend().isSafeToReuseKVState();
            // getState initialized the descriptor's serializer: the state's own, for the copies.
            histories =
                    new WriteBehindCache<>(
                            history,
                            this,
                            historyDescriptor.getSerializer(),
                            copyOnWrite,
                            heldCache);
            // Restored buckets (any parallelism: this subtask's key groups) are in the backend
            // only; a fresh start finds none.
            heldInBackendOnly = new HashSet<>();
            KeyedStateBackend<String> backend = getKeyedStateBackend();
            try (Stream<String> keys = backend.getKeys(HELD_STATE, VoidNamespace.INSTANCE)) {
                keys.forEach(heldInBackendOnly::add);
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flushHeld();
        if (histories != null) histories.flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flushHeld();
        if (histories != null) histories.flush();
        super.finish();
    }

    @Override
    public void processElement(StreamRecord<RumEvent> record) throws Exception {
        RumEvent e = record.getValue();
        long watermark = timers.currentWatermark();
        ViewHistory h = history();
        if (e.type == EventType.PAGE_VIEW) {
            if (h == null) h = new ViewHistory();
            if (e.eventTime < watermark) {
                // Late: the held events after it take its route below (they are placed when
                // released); the ones already released keep theirs (class comment).
                lateViews.inc();
                if (h.lastEventAt >= e.eventTime) lateViewsAfterTheirEvents.inc();
            }
            h.add(e);
            // Saturating: before the first watermark (Long.MIN_VALUE) nothing is old.
            long horizon =
                    watermark < Long.MIN_VALUE + allowedLatenessMs
                            ? Long.MIN_VALUE
                            : watermark - allowedLatenessMs;
            h.prune(horizon);
            touch(h, e.eventTime);
            updateHistory(h);
            // A view governs events at once (it is in the history), but leaves in event-time
            // order with them: a view passing ahead of earlier held events would reach the
            // session assembler first and could decide a session boundary (gap, maximum
            // duration) that the earlier event would have bridged.
            if (e.eventTime <= watermark) {
                emit(e);
            } else {
                hold(e);
            }
            return;
        }
        if (h != null) {
            touch(h, e.eventTime);
            h.lastEventAt = Math.max(h.lastEventAt, e.eventTime);
            updateHistory(h);
        }
        if (e.eventTime <= watermark) {
            emit(place(e, h));
            return;
        }
        hold(e);
    }

    /**
     * Holds {@code e} until the watermark reaches its own time: it then leaves before that
     * watermark goes downstream (a later release, e.g. at the end of its second, would make it late
     * for the consumers that judge lateness against their watermark, like the session assembler).
     */
    private void hold(RumEvent e) throws Exception {
        long release = e.eventTime;
        if (cached != null) {
            hold(e, release);
            return;
        }
        List<RumEvent> waiting = held.get(release);
        if (waiting == null) {
            waiting = new ArrayList<>(2);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, release);
        }
        waiting.add(e);
        held.put(release, waiting);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        long timestamp = timer.getTimestamp();
        ViewHistory h = history();
        List<RumEvent> waiting;
        if (cached != null) {
            waiting = release(timestamp);
        } else {
            waiting = held.get(timestamp);
            // The last bucket's removal leaves nothing behind: the heap backend drops a map
            // that becomes empty, RocksDB keeps no map apart from its entries (an isEmpty()
            // check here was a RocksDB iterator seek per released bucket).
            if (waiting != null) held.remove(timestamp);
        }
        if (waiting != null) {
            for (RumEvent e : waiting) {
                emit(place(e, h));
            }
        }
        if (h != null && h.cleanupTimer == timestamp) {
            long closesAt = h.lastSeen + gapMs;
            if (closesAt > timestamp) {
                h.cleanupTimer = armCleanup(closesAt);
                updateHistory(h);
            } else {
                clearHistory();
            }
        }
    }

    /** Adds a held event to its bucket on the heap; a new bucket gets its release timer. */
    private void hold(RumEvent e, long release) throws Exception {
        Map<Long, Bucket> buckets = cachedBuckets(true);
        Bucket b = buckets.get(release);
        if (b == null) {
            b = new Bucket(new ArrayList<>(2));
            buckets.put(release, b);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, release);
        }
        b.events.add(e);
        b.dirty = true;
    }

    /** Takes the bucket released at {@code timestamp} off the heap (and the backend), or null. */
    private List<RumEvent> release(long timestamp) throws Exception {
        Map<Long, Bucket> buckets = cachedBuckets(false);
        if (buckets == null) return null;
        Bucket b = buckets.remove(timestamp);
        if (buckets.isEmpty()) cached.remove((String) getCurrentKey());
        if (b == null) return null;
        if (b.inBackend) held.remove(timestamp);
        return b.events;
    }

    /**
     * The current session's buckets on the heap, loaded from the backend if they are only there;
     * null when it holds none and {@code create} is false.
     */
    private Map<Long, Bucket> cachedBuckets(boolean create) throws Exception {
        String key = (String) getCurrentKey();
        Map<Long, Bucket> buckets = cached.get(key);
        if (buckets != null) return buckets;
        if (heldInBackendOnly.remove(key)) {
            buckets = new HashMap<>();
            for (Map.Entry<Long, List<RumEvent>> stored : held.entries()) {
                List<RumEvent> events = stored.getValue();
                Bucket b = new Bucket(copyOnWrite ? new ArrayList<>(events) : events);
                b.inBackend = true;
                buckets.put(stored.getKey(), b);
            }
        } else if (create) {
            buckets = new HashMap<>(4);
        } else {
            return null;
        }
        cached.put(key, buckets);
        evictBeyondCapacity(key);
        return buckets;
    }

    /** The current session's history (changed in place, then {@link #updateHistory}), or null. */
    private ViewHistory history() throws Exception {
        return histories != null ? histories.value() : history.value();
    }

    private void updateHistory(ViewHistory h) throws Exception {
        if (histories != null) {
            histories.update(h);
        } else {
            history.update(h);
        }
    }

    private void clearHistory() {
        if (histories != null) {
            histories.clear();
        } else {
            history.clear();
        }
    }

    /** Writes the least recently used sessions' buckets to the backend beyond the capacity. */
    private void evictBeyondCapacity(String current) throws Exception {
        if (cached.size() <= heldCache) return;
        Iterator<Map.Entry<String, Map<Long, Bucket>>> it = cached.entrySet().iterator();
        while (cached.size() > heldCache) {
            Map.Entry<String, Map<Long, Bucket>> eldest = it.next();
            it.remove();
            if (eldest.getValue().isEmpty()) continue;
            setCurrentKey(eldest.getKey());
            writeDirty(eldest.getValue());
            heldInBackendOnly.add(eldest.getKey());
        }
        setCurrentKey(current);
    }

    /** Writes every changed bucket to the backend; they stay cached. Restores the current key. */
    private void flushHeld() throws Exception {
        if (cached == null || cached.isEmpty()) return;
        Object current = getCurrentKey();
        for (Map.Entry<String, Map<Long, Bucket>> session : cached.entrySet()) {
            setCurrentKey(session.getKey());
            writeDirty(session.getValue());
        }
        if (current != null) setCurrentKey(current);
    }

    private void writeDirty(Map<Long, Bucket> buckets) throws Exception {
        for (Map.Entry<Long, Bucket> me : buckets.entrySet()) {
            Bucket b = me.getValue();
            if (!b.dirty) continue;
            // A copy for the heap backend: it snapshots the list asynchronously while later
            // events are appended to ours.
            held.put(me.getKey(), copyOnWrite ? new ArrayList<>(b.events) : b.events);
            b.dirty = false;
            b.inBackend = true;
            backendWrites++;
        }
    }

    /** Sessions with held events on the heap, for tests (0 when the cache is off). */
    int cachedSessions() {
        return cached == null ? 0 : cached.size();
    }

    /** Sessions with a view history on the heap, for tests (0 when the cache is off). */
    int cachedHistories() {
        return histories == null ? 0 : histories.sizeWithValues();
    }

    /** The view histories' cache, for tests; null when the cache is off. */
    WriteBehindCache<String, ViewHistory> historyCache() {
        return histories;
    }

    /** Bucket lists written to the backend (flushes and evictions), for tests. */
    long heldBackendWrites() {
        return backendWrites;
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // Event time only: no processing-time timers are registered.
    }

    /** Views that arrived behind the watermark (for tests). */
    long lateViewCount() {
        return lateViews.getCount();
    }

    /** Late views whose session had already sent an event at or after them (for tests). */
    long lateViewsAfterTheirEventsCount() {
        return lateViewsAfterTheirEvents.getCount();
    }

    /** Every event leaves with its own event time as the record timestamp. */
    private void emit(RumEvent e) {
        output.collect(new StreamRecord<>(e, e.eventTime));
    }

    private RumEvent place(RumEvent e, ViewHistory h) {
        String route = h == null ? null : h.routeOf(e);
        if (route == null || route.equals(e.route)) {
            return e;
        }
        // A copy: the same event object may be shared with the other consumers of ingest.
        RumEvent moved = RumEventSerializer.INSTANCE.copy(e);
        moved.route = route;
        rerouted.inc();
        return moved;
    }

    private void touch(ViewHistory h, long eventTime) {
        h.lastSeen = Math.max(h.lastSeen, eventTime);
        if (h.cleanupTimer == Long.MIN_VALUE) {
            h.cleanupTimer = armCleanup(h.lastSeen + gapMs);
        }
    }

    private long armCleanup(long closesAt) {
        long at = (Math.floorDiv(closesAt, CLEANUP_GRANULARITY_MS) + 1) * CLEANUP_GRANULARITY_MS;
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, at);
        return at;
    }
}
