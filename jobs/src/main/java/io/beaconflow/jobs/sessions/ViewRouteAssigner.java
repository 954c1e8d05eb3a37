package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.RumEventSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Puts each event of a single-page app on the route it happened on, before the metric aggregates:
 * the route of the last view (document load or route change) at or before the event's own time in
 * its session ({@link ViewHistory} holds the rule and why). Page views, and every event of a
 * session without route changes, pass with their own route.
 *
 * <p>Event time: an event is held until the watermark reaches its time, so that a view sent later
 * than the event (out of order, within the watermark's bounded out-of-orderness) still places it;
 * an event already behind the watermark (late, within the allowed lateness) is placed at once with
 * the views known. Held events wait in a map by timer time, one event-time timer per second bucket
 * (the bucket's last millisecond, so a held event is emitted before the watermark that closes its
 * metric window passes: windows are whole seconds or the bucket is one millisecond).
 *
 * <p>State per session: the {@link ViewHistory} (pruned to the views that can still govern an
 * accepted event, at most {@link ViewHistory#MAX_VIEWS}), the held events, and one clean-up timer
 * at the last event + {@code sessions.gap} (when the session assembler closes the session) that
 * clears the history. Keyed by session on the partitioning of ingest (no shuffle), chained to it.
 *
 * <p>An operator rather than a {@code KeyedProcessFunction}: a held event leaves with its own
 * timestamp, not its timer's (a process function stamps timer output with the timer time).
 *
 * <p>Counter: {@code eventsRerouted} (events whose route was changed).
 */
public class ViewRouteAssigner extends AbstractStreamOperator<RumEvent>
        implements OneInputStreamOperator<RumEvent, RumEvent>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    /** Operator uid (pinned in the production uid list). */
    public static final String UID = "sessions-view-routes";

    private static final long CLEANUP_GRANULARITY_MS = 60_000;

    private final long gapMs;
    private final long allowedLatenessMs;
    private final long bucketMs;

    private transient ValueState<ViewHistory> history;
    private transient MapState<Long, List<RumEvent>> held;
    private transient Counter rerouted;
    private transient InternalTimerService<VoidNamespace> timers;

    /**
     * @param gap {@code sessions.gap}: after this much event-time inactivity the session is closed
     *     and its views forgotten
     * @param allowedLateness {@code ingest.allowed-lateness}: older events never reach this stage,
     *     so older views only matter as the last one before the horizon
     * @param metricWindow {@code metrics.window}: held events are released in buckets that divide
     *     it
     */
    public ViewRouteAssigner(Duration gap, Duration allowedLateness, Duration metricWindow) {
        this.gapMs = gap.toMillis();
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.bucketMs = metricWindow.toMillis() % 1000 == 0 ? 1000 : 1;
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers =
                getInternalTimerService(
                        "view-route-timers", VoidNamespaceSerializer.INSTANCE, this);
        history =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "view-history", TypeInformation.of(ViewHistory.class)));
        held =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "view-held-events",
                                        Types.LONG,
                                        new ListTypeInfo<>(TypeInformation.of(RumEvent.class))));
        rerouted = getRuntimeContext().getMetricGroup().counter("eventsRerouted");
    }

    @Override
    public void processElement(StreamRecord<RumEvent> record) throws Exception {
        RumEvent e = record.getValue();
        long watermark = timers.currentWatermark();
        ViewHistory h = history.value();
        if (e.type == EventType.PAGE_VIEW) {
            if (h == null) h = new ViewHistory();
            h.add(e);
            // Saturating: before the first watermark (Long.MIN_VALUE) nothing is old.
            long horizon =
                    watermark < Long.MIN_VALUE + allowedLatenessMs
                            ? Long.MIN_VALUE
                            : watermark - allowedLatenessMs;
            h.prune(horizon);
            touch(h, e.eventTime);
            history.update(h);
            emit(e);
            return;
        }
        if (h != null) {
            touch(h, e.eventTime);
            history.update(h);
        }
        if (e.eventTime <= watermark) {
            emit(place(e, h));
            return;
        }
        long release = Math.floorDiv(e.eventTime, bucketMs) * bucketMs + bucketMs - 1;
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
        ViewHistory h = history.value();
        List<RumEvent> waiting = held.get(timestamp);
        if (waiting != null) {
            // The last bucket's removal leaves nothing behind: the heap backend drops a map
            // that becomes empty, RocksDB keeps no map apart from its entries (an isEmpty()
            // check here was a RocksDB iterator seek per released bucket).
            held.remove(timestamp);
            for (RumEvent e : waiting) {
                emit(place(e, h));
            }
        }
        if (h != null && h.cleanupTimer == timestamp) {
            long closesAt = h.lastSeen + gapMs;
            if (closesAt > timestamp) {
                h.cleanupTimer = armCleanup(closesAt);
                history.update(h);
            } else {
                history.clear();
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
        // Event time only: no processing-time timers are registered.
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
