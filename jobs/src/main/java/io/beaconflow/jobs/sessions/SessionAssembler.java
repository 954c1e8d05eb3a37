package io.beaconflow.jobs.sessions;

import io.beaconflow.jobs.compare.ArmRules;
import io.beaconflow.jobs.compare.SessionSummary;
import io.beaconflow.jobs.ingest.ProcessingErrors;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import io.beaconflow.jobs.state.WriteBehindCache;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Cuts the events of one (app, session id) into sessions in event time and emits a {@link
 * SessionRecord} per session: updates while it is open, then the final record. A hand-written
 * function rather than merging session windows: measured faster (docs/DISCUSSION.md, "Sessions"),
 * and it does what windows cannot: a maximum duration, updates that share the final record's id,
 * and one timer per key.
 *
 * <p><b>Boundaries.</b> Keyed by {@link #key()}. One piece is open per key, held as a {@link
 * SessionState} (all aggregation logic lives there). An event whose time is at or after the piece's
 * start + {@code max-duration} closes it ({@code max_duration}) and starts a new one; so does an
 * event more than {@code gap} after the piece's last event ({@code inactivity}), even before the
 * watermark says so. Otherwise the piece closes ({@code inactivity}) when the watermark reaches its
 * last event + {@code gap}; the final record carries that time as its timestamp. Boundaries are
 * thus decided when the deciding event arrives: an out-of-order event that arrives after a split
 * and would have bridged it (possible only for events within the out-of-orderness bound of a
 * boundary) joins the open piece. Events inside a session may arrive in any order: the record is
 * the same (see SessionState).
 *
 * <p><b>Late events</b> (behind the watermark; upstream lets them through for {@code
 * ingest.allowed-lateness}) are counted ({@code lateSessionEvents}, and {@code lateEvents} on the
 * record). If the piece is still open they join it. If the piece already closed they start a new
 * piece with its own start and id, closed as soon as the watermark passes its last event + gap. We
 * chose that over re-opening the closed record because re-opening would need the whole aggregate
 * kept after close for the allowed lateness; and because a piece closes only when the watermark is
 * {@code gap} past its last event, an event that is at most {@code allowed-lateness} behind the
 * watermark is at least {@code gap - allowed-lateness} (25 min by default) after the closed
 * session's last event: by the gap rule it nearly always is a new session anyway.
 *
 * <p><b>Document id.</b> {@code app:sessionId:start}. Start is the earliest event time, known for
 * certain once the watermark passes it; only a late event can move it after the first emission, so
 * the id is frozen at the first emission and later versions keep overwriting the same document.
 *
 * <p><b>Updates.</b> With {@code update-interval} > 0, an open piece that changed since its last
 * emission is emitted ({@code closed = false}, {@code endReason = open}) when the watermark passes
 * the next point of its grid (first event time + k × interval). A piece that has not changed since
 * its last emission has no update timer, so an idle session waiting out its gap costs nothing.
 * {@code updateSeq} counts the emissions of a piece.
 *
 * <p><b>Timers.</b> At most one per key, at min(next update, last event + gap). It is not moved
 * when a new event pushes the gap deadline later: it fires, sees the deadline moved, and re-arms
 * (cheaper than deleting and re-registering on every event). State and timer are gone after close.
 *
 * <p><b>Comparisons.</b> With {@link ArmRules} (comparisons on) each piece also keeps one {@link
 * SessionSummary} per experiment arm and release ({@link SessionArms}), sent to the side output
 * {@link #SUMMARIES} when the piece closes, stamped with its last event + {@code gap} (the time an
 * inactivity close fires, and its {@code end}; a piece cut by {@code max-duration} or by a later
 * event has the same {@code end} and the cutting event's timestamp). The comparisons bucket by
 * {@code end} and read these instead of keeping every session a second time.
 *
 * <p>Metrics: {@code sessionsClosed}, {@code sessionUpdates}, {@code lateSessionEvents}, and with
 * comparisons {@code comparisonEventsAfterClose} and {@code comparisonSessionArmsIgnored}.
 */
public class SessionAssembler extends KeyedProcessFunction<String, RumEvent, SessionRecord> {
    private static final long serialVersionUID = 1L;

    static final char KEY_SEPARATOR = '\u0000';

    /** One summary per closed piece and arm, for the comparisons (with {@link ArmRules} only). */
    public static final OutputTag<SessionSummary> SUMMARIES =
            new OutputTag<>("session-arm-summaries") {};

    private final SessionRules rules;

    private transient ValueState<SessionState> state;

    /** Set by {@link SessionAssemblerOperator}: the state behind a heap cache; else null. */
    private transient WriteBehindCache<String, SessionState> cache;

    private transient Counter closedCounter;
    private transient Counter updateCounter;
    private transient Counter lateCounter;
    private transient Counter afterCloseCounter;
    private transient Counter armsIgnoredCounter;

    public SessionAssembler(SessionConfig config) {
        this(config, null);
    }

    /**
     * @param arms the comparisons' counting rules, or null for no per-arm summaries
     */
    public SessionAssembler(SessionConfig config, ArmRules arms) {
        this.rules = new SessionRules(config, arms);
    }

    /** The session key: app and session id. */
    public static KeySelector<RumEvent, String> key() {
        return SessionKeys.bySession();
    }

    /** The state descriptor, with the compact serializer (public for the state-size test). */
    public static ValueStateDescriptor<SessionState> stateDescriptor() {
        return new ValueStateDescriptor<>("session", SessionStateSerializer.INSTANCE);
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(stateDescriptor());
        closedCounter = getRuntimeContext().getMetricGroup().counter("sessionsClosed");
        updateCounter = getRuntimeContext().getMetricGroup().counter("sessionUpdates");
        lateCounter = getRuntimeContext().getMetricGroup().counter("lateSessionEvents");
        if (rules.arms != null) {
            afterCloseCounter =
                    getRuntimeContext().getMetricGroup().counter("comparisonEventsAfterClose");
            armsIgnoredCounter =
                    getRuntimeContext().getMetricGroup().counter("comparisonSessionArmsIgnored");
        }
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<SessionRecord> out)
            throws Exception {
        try {
            assemble(e, ctx, out);
        } catch (RuntimeException failure) {
            if (ProcessingErrors.isInfrastructure(failure)) throw failure;
            // One event must not restart the job (the replay would fail on it again): it becomes
            // a dead letter (the session may keep part of it: state is updated in place).
            ctx.output(ProcessingErrors.TAG, ProcessingErrors.of(STAGE, e, failure));
        }
    }

    static final String STAGE = "sessions";

    private void assemble(RumEvent e, Context ctx, Collector<SessionRecord> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        boolean late = watermark != Long.MIN_VALUE && e.eventTime < watermark;
        if (late) lateCounter.inc();
        SessionState s = load();
        if (s != null) {
            String reason = null;
            if (e.eventTime >= s.start + rules.maxDurationMs) {
                reason = SessionRecord.MAX_DURATION;
            } else if (e.eventTime > s.end + rules.gapMs) {
                reason = SessionRecord.INACTIVITY;
            }
            if (reason != null) {
                if (s.timerAt != SessionState.NONE) {
                    ctx.timerService().deleteEventTimeTimer(s.timerAt);
                }
                close(s, ctx.getCurrentKey(), reason, ctx, out);
                s = null;
            }
        }
        if (s == null) {
            s = SessionState.startingAt(e.eventTime);
            s.arms.tracked = rules.arms != null;
        }
        s.add(e, rules, late);
        if (rules.arms != null) {
            // The record timestamp, as the comparisons' own operator took it (it can be earlier
            // than eventTime only for an event capped at arrival + max-future).
            long ts = ctx.timestamp() == null ? Long.MIN_VALUE : ctx.timestamp();
            if (s.arms.add(e, ts, rules.arms, rules.gapMs, watermark) == SessionArms.AFTER_CLOSE) {
                afterCloseCounter.inc();
            }
            int ignored = s.arms.takeIgnored();
            if (ignored > 0) armsIgnoredCounter.inc(ignored);
        }
        s.settle(watermark, rules);
        if (rules.updateIntervalMs > 0 && s.nextUpdateAt == SessionState.NONE) {
            s.nextUpdateAt = nextUpdatePoint(s, watermark);
        }
        arm(s, ctx);
        save(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SessionRecord> out)
            throws Exception {
        SessionState s = load();
        if (s == null) return;
        s.timerAt = SessionState.NONE;
        if (timestamp >= s.end + rules.gapMs) {
            close(s, ctx.getCurrentKey(), SessionRecord.INACTIVITY, ctx, out);
            drop();
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (s.nextUpdateAt != SessionState.NONE && timestamp >= s.nextUpdateAt) {
            // When the watermark has jumped past the close too, the final record follows at
            // once (same watermark): an update just before it would be noise.
            if (s.dirty && watermark < s.end + rules.gapMs) {
                s.settle(watermark, rules);
                emit(s, ctx.getCurrentKey(), false, SessionRecord.OPEN, out);
                updateCounter.inc();
            }
            // No update timer while nothing changes: the next event schedules one.
            s.nextUpdateAt = SessionState.NONE;
        }
        arm(s, ctx);
        save(s);
    }

    /** Puts the state behind {@code cache} (the operator that owns the cache flushes it). */
    void cacheWith(WriteBehindCache<String, SessionState> cache) {
        this.cache = cache;
    }

    private SessionState load() throws java.io.IOException {
        return cache != null ? cache.value() : state.value();
    }

    private void save(SessionState s) throws java.io.IOException {
        if (cache != null) cache.update(s);
        else state.update(s);
    }

    private void drop() {
        if (cache != null) cache.clear();
        else state.clear();
    }

    /**
     * The first point of the piece's update grid (first event time + k × interval) after the
     * watermark, or NONE when the watermark is already past the close.
     */
    private long nextUpdatePoint(SessionState s, long watermark) {
        long interval = rules.updateIntervalMs;
        if (watermark < s.base + interval) return s.base + interval;
        if (watermark >= s.end + rules.gapMs) return SessionState.NONE;
        return s.base + ((watermark - s.base) / interval + 1) * interval;
    }

    /** Keeps one timer at min(next update, last + gap); a timer earlier than that may stay. */
    private void arm(SessionState s, Context ctx) {
        long due = s.end + rules.gapMs;
        if (s.nextUpdateAt != SessionState.NONE && s.nextUpdateAt < due) due = s.nextUpdateAt;
        if (s.timerAt != SessionState.NONE) {
            if (s.timerAt <= due) return;
            ctx.timerService().deleteEventTimeTimer(s.timerAt);
        }
        ctx.timerService().registerEventTimeTimer(due);
        s.timerAt = due;
    }

    private void close(
            SessionState s, String key, String reason, Context ctx, Collector<SessionRecord> out) {
        s.settle(Long.MAX_VALUE, rules);
        emit(s, key, true, reason, out);
        closedCounter.inc();
        if (rules.arms != null) {
            String app = key.substring(0, key.indexOf(KEY_SEPARATOR));
            s.arms.send(app, key, s.end + rules.gapMs, x -> ctx.output(SUMMARIES, x));
        }
    }

    private static void emit(
            SessionState s,
            String key,
            boolean closed,
            String reason,
            Collector<SessionRecord> out) {
        if (s.idStart == SessionState.NONE) s.idStart = s.start;
        s.updateSeq++;
        s.dirty = false;
        int sep = key.indexOf(KEY_SEPARATOR);
        out.collect(
                s.toRecord(
                        key.substring(0, sep),
                        key.substring(sep + 1),
                        closed,
                        reason,
                        s.updateSeq));
    }
}
