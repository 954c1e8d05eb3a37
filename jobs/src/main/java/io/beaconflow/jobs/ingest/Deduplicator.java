package io.beaconflow.jobs.ingest;

import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.SessionKeys;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops repeated event ids (SDK retries, double sends) within a bounded event-time span.
 *
 * <p>Keyed by session ({@link SessionKeys#bySession()}, event ids are unique within a session), so
 * the session stage can reuse this partitioning instead of shuffling again. Per session: the event
 * ids seen, each with its expiry (event time + {@code ttl}), and one event-time timer, rounded up
 * to the minute, that removes expired ids and re-arms itself while any remain. Flink's state TTL is
 * processing-time only, so expiry is an event-time timer: replays drop the same copies. One timer
 * per session instead of one per event keeps the timer queue ~20× smaller.
 *
 * <p>Knobs: {@code ingest.dedup-ttl}; a retry arriving after it passes through as a new event.
 * {@code ingest.dedup-cache}: sessions whose ids {@link DeduplicatorOperator} keeps on the heap
 * ({@link SeenIdsCache}, written behind; the same decisions, state and snapshots). Counter and
 * accumulator: {@code duplicatesDropped} / {@code duplicates-dropped}.
 */
public class Deduplicator extends KeyedProcessFunction<String, RumEvent, RumEvent> {
    private static final long serialVersionUID = 1L;
    private static final long TIMER_GRANULARITY_MS = 60_000;

    /** Accumulator with the number of dropped duplicates. */
    public static final String ACC_DUPLICATES = "duplicates-dropped";

    private final long ttlMs;
    private transient MapState<String, Long> seen;
    private transient ValueState<Long> timer;
    private transient Counter duplicates;
    private transient LongCounter duplicatesTotal;

    /** Set by {@link DeduplicatorOperator}: the state behind a heap cache; else null. */
    private transient SeenIdsCache cache;

    public Deduplicator(Duration ttl) {
        this.ttlMs = ttl.toMillis();
    }

    /** The dedup key: the session key. */
    public static KeySelector<RumEvent, String> key() {
        return SessionKeys.bySession();
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        seen = KeyedStates.map(runtime, "dedup-seen", String.class, Long.class);
        timer = KeyedStates.value(runtime, "dedup-timer", Long.class);
        duplicates = runtime.getMetricGroup().counter("duplicatesDropped");
        duplicatesTotal = new LongCounter();
        runtime.addAccumulator(ACC_DUPLICATES, duplicatesTotal);
    }

    /** The keyed state as the cache needs it (the operator that owns the cache flushes it). */
    SeenIdsCache cacheWith(org.apache.flink.streaming.api.operators.KeyContext keys, int capacity) {
        cache = new SeenIdsCache(seen, timer, keys, capacity);
        return cache;
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RumEvent> out) throws Exception {
        if (cache != null) {
            processCached(e, ctx, out);
            return;
        }
        if (seen.contains(e.eventId)) {
            countDuplicate();
            return;
        }
        long expiry = e.eventTime + ttlMs;
        seen.put(e.eventId, expiry);
        if (timer.value() == null) {
            arm(ctx.timerService(), expiry);
        }
        out.collect(e);
    }

    /** A dropped duplicate: the metric (live) and the accumulator (the job's final count). */
    private void countDuplicate() {
        duplicates.inc();
        duplicatesTotal.add(1);
    }

    /** The same decisions as the uncached path, on the session's ids on the heap. */
    private void processCached(RumEvent e, Context ctx, Collector<RumEvent> out) throws Exception {
        SeenIdsCache.Ids ids = cache.get();
        if (ids.contains(e.eventId)) {
            countDuplicate();
            return;
        }
        long expiry = e.eventTime + ttlMs;
        ids.add(e.eventId, expiry);
        if (ids.timer() == null) {
            ids.timer(armAt(ctx.timerService(), expiry));
        }
        out.collect(e);
    }

    /**
     * Adds the ids whose expiry is at or before {@code timestamp} to {@code expired}, in iteration
     * order, and returns the earliest expiry of the others ({@code Long.MAX_VALUE} when none): the
     * one scan of the cached and the plain timer. Removing happens after, not while iterating.
     */
    private static long expired(
            Iterable<Map.Entry<String, Long>> ids, long timestamp, List<String> expired) {
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Long> id : ids) {
            long expiry = id.getValue();
            if (expiry <= timestamp) {
                expired.add(id.getKey());
            } else {
                next = Math.min(next, expiry);
            }
        }
        return next;
    }

    private void onTimerCached(long timestamp, OnTimerContext ctx) throws Exception {
        SeenIdsCache.Ids ids = cache.get();
        List<String> expired = new ArrayList<>();
        long next = expired(ids.expiries(), timestamp, expired);
        for (String id : expired) ids.remove(id);
        ids.timer(next != Long.MAX_VALUE ? armAt(ctx.timerService(), next) : null);
        cache.dropIfEmpty(ids);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RumEvent> out)
            throws Exception {
        if (cache != null) {
            onTimerCached(timestamp, ctx);
            return;
        }
        List<String> expired = new ArrayList<>();
        long next = expired(seen.entries(), timestamp, expired);
        // remove() rather than the iterator's: the heap backend drops a map that remove() empties
        // (its iterator's remove does not), and RocksDB keeps no map apart from its entries, so
        // no clear() is needed afterwards. On RocksDB that clear() was a second prefix scan per
        // timer (docs/benchmarks.md, "Session 2026-12-03").
        for (String id : expired) seen.remove(id);
        timer.clear();
        if (next != Long.MAX_VALUE) {
            arm(ctx.timerService(), next);
        }
    }

    private void arm(org.apache.flink.streaming.api.TimerService timers, long expiry)
            throws Exception {
        timer.update(armAt(timers, expiry));
    }

    /** Registers the timer that expires {@code expiry} (rounded up to the minute); its time. */
    private static long armAt(org.apache.flink.streaming.api.TimerService timers, long expiry) {
        long at = (expiry / TIMER_GRANULARITY_MS + 1) * TIMER_GRANULARITY_MS;
        timers.registerEventTimeTimer(at);
        return at;
    }
}
