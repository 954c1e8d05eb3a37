package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops repeated event ids (SDK retries, double sends) within a bounded event-time span.
 *
 * <p>Keyed by session ({@link SessionKeys#bySession()}, event ids are unique within a session), so
 * the session stage can reuse this partitioning instead of shuffling again. Per session, one value
 * ({@link SeenEventIds}): the event ids seen, each with its expiry (event time + {@code ttl}), and
 * the time of one event-time timer, rounded up to the minute, that removes expired ids and re-arms
 * itself while any remain. Flink's state TTL is processing-time only, so expiry is an event-time
 * timer: replays drop the same copies. One timer per session instead of one per event keeps the
 * timer queue ~20× smaller.
 *
 * <p>Cost per event: one read of the session's value (a hit for all but its first event) and one
 * write; a dropped duplicate only the read. The value holds at most {@link #MAX_IDS_IN_VALUE} ids;
 * a session with more within the TTL (a bot, a test script) keeps the rest in a map state, read
 * only for such sessions, so no value grows without bound. The earlier layout, a map entry per id
 * plus the timer's time apart, cost a lookup that missed for every new id (on RocksDB the dearest
 * read: every level is searched, a bloom filter per file at best), a second read for the timer and
 * a write.
 *
 * <p>Knob: {@code ingest.dedup-ttl}. A retry arriving after it passes through as a new event.
 * Counter and accumulator: {@code duplicatesDropped} / {@code duplicates-dropped}.
 */
public class Deduplicator extends KeyedProcessFunction<String, RumEvent, RumEvent> {
    private static final long serialVersionUID = 1L;
    private static final long TIMER_GRANULARITY_MS = 60_000;

    /** Accumulator with the number of dropped duplicates. */
    public static final String ACC_DUPLICATES = "duplicates-dropped";

    static final String STATE = "dedup-ids";

    /** Ids of a session beyond this many (within the TTL) go to {@link #OVERFLOW}. */
    static final int MAX_IDS_IN_VALUE = 256;

    static final String OVERFLOW = "dedup-overflow";

    /** The layout of versions before {@link #STATE}, read once per session of such a savepoint. */
    static final String LEGACY_SEEN = "dedup-seen";

    static final String LEGACY_TIMER = "dedup-timer";

    private final long ttlMs;
    private transient ValueState<SeenEventIds> seen;
    private transient MapState<String, Long> overflow;
    private transient MapState<String, Long> legacySeen;
    private transient ValueState<Long> legacyTimer;
    private transient Counter duplicates;
    private transient LongCounter duplicatesTotal;

    public Deduplicator(Duration ttl) {
        this.ttlMs = ttl.toMillis();
    }

    /** The dedup key: the session key. */
    public static KeySelector<RumEvent, String> key() {
        return SessionKeys.bySession();
    }

    static ValueStateDescriptor<SeenEventIds> stateDescriptor() {
        return new ValueStateDescriptor<>(STATE, TypeInformation.of(SeenEventIds.class));
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(stateDescriptor());
        overflow =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>(OVERFLOW, Types.STRING, Types.LONG));
        legacySeen =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(LEGACY_SEEN, Types.STRING, Types.LONG));
        legacyTimer =
                getRuntimeContext().getState(new ValueStateDescriptor<>(LEGACY_TIMER, Types.LONG));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
        duplicatesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(ACC_DUPLICATES, duplicatesTotal);
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) throws Exception {
        SeenEventIds s = seen.value();
        if (s == null) s = fromLegacyOrNew();
        if (s.expiries.containsKey(e.eventId) || (s.overflowed && overflow.contains(e.eventId))) {
            duplicates.inc();
            duplicatesTotal.add(1);
            return;
        }
        boolean changed = add(s, e.eventId, e.eventTime + ttlMs);
        if (s.timerAt == SeenEventIds.NO_TIMER) {
            s.timerAt = arm(ctx.timerService(), e.eventTime + ttlMs);
            changed = true;
        }
        if (changed) seen.update(s);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RumEvent> out)
            throws Exception {
        SeenEventIds s = seen.value();
        if (s == null) s = fromLegacyOrNew(); // a timer an older version set
        long next = Long.MAX_VALUE;
        Iterator<Map.Entry<String, Long>> it = s.expiries.entrySet().iterator();
        while (it.hasNext()) {
            long expiry = it.next().getValue();
            if (expiry <= timestamp) {
                it.remove();
            } else {
                next = Math.min(next, expiry);
            }
        }
        if (s.overflowed) {
            Iterator<Map.Entry<String, Long>> more = overflow.iterator();
            boolean any = false;
            while (more.hasNext()) {
                long expiry = more.next().getValue();
                if (expiry <= timestamp) {
                    more.remove();
                } else {
                    next = Math.min(next, expiry);
                    any = true;
                }
            }
            if (!any) {
                overflow.clear();
                s.overflowed = false;
            }
        }
        if (next != Long.MAX_VALUE) {
            s.timerAt = arm(ctx.timerService(), next);
            seen.update(s);
        } else {
            seen.clear();
        }
    }

    /**
     * A session's value when it has none: empty, or, for a session a savepoint of an older version
     * holds, its ids and pending timer moved over from the old layout (which is then cleared). Only
     * such sessions have a timer's time in the old layout; for every other the check is a read of a
     * state that holds nothing. A restored old timer that fires first moves the session over too.
     */
    private SeenEventIds fromLegacyOrNew() throws Exception {
        SeenEventIds s = new SeenEventIds();
        Long timerAt = legacyTimer.value();
        if (timerAt != null) {
            for (Map.Entry<String, Long> id : legacySeen.entries()) {
                add(s, id.getKey(), id.getValue());
            }
            s.timerAt = timerAt;
            legacySeen.clear();
            legacyTimer.clear();
            seen.update(s); // written now: a duplicate returns before the usual write
        }
        return s;
    }

    /**
     * Remembers an id in the value, or in the overflow map once the value holds {@link
     * #MAX_IDS_IN_VALUE}; true when the value changed (and must be written).
     */
    private boolean add(SeenEventIds s, String id, long expiry) throws Exception {
        if (s.expiries.size() < MAX_IDS_IN_VALUE) {
            s.expiries.put(id, expiry);
            return true;
        }
        overflow.put(id, expiry);
        if (s.overflowed) return false;
        s.overflowed = true;
        return true;
    }

    private static long arm(TimerService timers, long expiry) {
        long at = (expiry / TIMER_GRANULARITY_MS + 1) * TIMER_GRANULARITY_MS;
        timers.registerEventTimeTimer(at);
        return at;
    }
}
