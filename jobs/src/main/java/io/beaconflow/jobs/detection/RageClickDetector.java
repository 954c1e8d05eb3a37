package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.model.WriteBehindOperator;
import io.beaconflow.jobs.state.CachedValue;
import io.beaconflow.jobs.state.KeyedStates;
import io.beaconflow.jobs.state.MapWriteBehindCache;
import io.beaconflow.jobs.state.WriteBehindCache;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;

/**
 * Finds rage clicks: at least {@code burstClicks} clicks on one target in one session within {@code
 * burstSpan} of the burst's first click, in event time. Keyed by app, session and target.
 *
 * <p>Clicks arrive out of order (beacons are batched); each is parked until the watermark passes
 * it, then replayed in timestamp order, so the result does not depend on arrival order. One burst
 * gives one {@link RageClick}, emitted when its {@code burstClicks}-th click is replayed; further
 * clicks within the span belong to the same burst. State is cleared {@code burstSpan} after the
 * last click.
 *
 * <p>Known false positives: double-click widgets and steppers (+/- buttons) clicked fast on
 * purpose.
 */
public class RageClickDetector extends KeyedProcessFunction<String, RumEvent, RageClick> {
    private static final long serialVersionUID = 1L;

    private final int burstClicks;
    private final long spanMs;

    private transient MapState<Long, Pending> pending;
    private transient ValueState<RageClick> burst;
    private transient ValueState<Long> cleanupAt;
    private transient Counter bursts;

    /** Clicks parked at one timestamp. */
    public static class Pending {
        public int clicks;
        public String route;
        public double weight = 1;

        public Pending() {}
    }

    public RageClickDetector(int burstClicks, Duration burstSpan) {
        if (burstClicks < 2) {
            throw new IllegalArgumentException("burstClicks must be >= 2, got " + burstClicks);
        }
        this.burstClicks = burstClicks;
        this.spanMs = burstSpan.toMillis();
    }

    /** The rage-click key: app, session and click target. */
    public static KeySelector<RumEvent, String> key() {
        return e -> e.app + '\u0000' + e.sessionId + '\u0000' + e.actionTarget;
    }

    /** Clicks with a session and a target (what this detector can judge). */
    public static boolean isClick(RumEvent e) {
        return e.type == EventType.ACTION
                && !e.bot
                && e.sessionId != null
                && e.actionTarget != null
                && (e.actionType == null || "click".equals(e.actionType));
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        pending = KeyedStates.map(runtime, "rage-pending", Long.class, Pending.class);
        burst = KeyedStates.value(runtime, "rage-burst", RageClick.class);
        cleanupAt = KeyedStates.value(runtime, "rage-cleanup", Long.class);
        bursts = runtime.getMetricGroup().counter("rageClickBursts");
    }

    /**
     * Puts the three states behind heap caches of {@code capacity} click targets each (on RocksDB,
     * see {@link RageClickOperator}): a target's pending clicks, burst and clean-up time are then
     * read and written on the heap, and reach the backend only before a snapshot or when evicted. A
     * target usually lives from its first click to its clean-up a second or two later, between two
     * checkpoints, so most never reach RocksDB at all. Call after {@link #open}; the caches to
     * flush are returned.
     */
    List<WriteBehindOperator.WriteBehind> writeBehind(KeyContext keys, int capacity) {
        MapWriteBehindCache<Long, Pending> pendingCache =
                new MapWriteBehindCache<>(pending, keys, capacity);
        WriteBehindCache<String, RageClick> burstCache =
                new WriteBehindCache<>(burst, keys, null, false, capacity);
        WriteBehindCache<String, Long> cleanupCache =
                new WriteBehindCache<>(cleanupAt, keys, null, false, capacity);
        pending = pendingCache;
        burst = CachedValue.of(burstCache);
        cleanupAt = CachedValue.of(cleanupCache);
        return List.of(pendingCache, burstCache, cleanupCache);
    }

    @Override
    public void processElement(RumEvent e, Context ctx, Collector<RageClick> out) throws Exception {
        Pending p = pending.get(e.eventTime);
        if (p == null) {
            p = new Pending();
            ctx.timerService().registerEventTimeTimer(e.eventTime);
        }
        p.clicks++;
        p.route = e.route;
        p.weight = e.weight();
        pending.put(e.eventTime, p);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<RageClick> out) throws Exception {
        Pending p = pending.get(ts);
        if (p == null) {
            Long cleanup = cleanupAt.value();
            if (cleanup != null && cleanup == ts) {
                burst.clear();
                cleanupAt.clear();
            }
            return;
        }
        pending.remove(ts);
        String[] key = splitKey(ctx.getCurrentKey());
        RageClick b = burst.value();
        for (int i = 0; i < p.clicks; i++) {
            if (b == null || ts - b.firstClick > spanMs) {
                b = new RageClick();
                b.app = key[0];
                b.sessionId = key[1];
                b.target = key[2];
                b.firstClick = ts;
            }
            b.clicks++;
            b.lastClick = ts;
            b.route = p.route;
            b.weight = p.weight;
            if (b.clicks == burstClicks) {
                bursts.inc();
                out.collect(copy(b));
            }
        }
        burst.update(b);
        Long previous = cleanupAt.value();
        if (previous != null) {
            ctx.timerService().deleteEventTimeTimer(previous);
        }
        long cleanup = b.firstClick + spanMs + 1;
        if (cleanup <= ts) {
            cleanup = ts + 1;
        }
        ctx.timerService().registerEventTimeTimer(cleanup);
        cleanupAt.update(cleanup);
    }

    private static RageClick copy(RageClick b) {
        RageClick c = new RageClick();
        c.app = b.app;
        c.sessionId = b.sessionId;
        c.route = b.route;
        c.target = b.target;
        c.firstClick = b.firstClick;
        c.lastClick = b.lastClick;
        c.clicks = b.clicks;
        c.weight = b.weight;
        return c;
    }

    private static String[] splitKey(String key) {
        int a = key.indexOf('\u0000');
        int b = key.indexOf('\u0000', a + 1);
        return new String[] {key.substring(0, a), key.substring(a + 1, b), key.substring(b + 1)};
    }
}
