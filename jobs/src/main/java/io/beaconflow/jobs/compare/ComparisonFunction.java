package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.enrich.CardinalityGuard;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.LatencyMetric;
import io.beaconflow.jobs.state.KeyedStates;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Experiments and releases compared, keyed by app, in event time. Input: one {@link SessionSummary}
 * per closed session and arm (sessions.SessionArms, sent by the session assembler): the session is
 * the unit an experiment randomizes, so it is the unit tested ({@link ArmComparison}); output: one
 * {@link Comparison} per arm and metric every {@code comparisons.emit-every} of event time and at
 * the end of a bounded input. The statistics are {@link ArmComparison}'s (plain Java).
 *
 * <p><b>Which sessions count.</b> Summaries are grouped into buckets of the metrics window by the
 * time their session closed (its last event + the session gap), and a bucket is folded into the
 * comparison once the watermark passes its end: a summary is final when it is sent, and it arrives
 * before the watermark passes its timestamp, so a bucket is complete when folded. The same input
 * gives the same documents under the same ids. The price is delay: a session counts only once it
 * closed, so documents lag its views by the session gap (30 min by default).
 *
 * <p><b>Who is compared with whom.</b> Windows fold in order of their start; per window start the
 * arms are first registered, then controls decided, then data merged, so an arm and its control
 * always cover the same windows (from the arm's {@link Arm#comparisonStart}). An experiment's
 * control is {@code comparisons.controls[experiment]}, else {@code comparisons.default-control},
 * when that variant has been seen, else the lexicographically first variant seen. A release's
 * control is the release of the app seen just before it: releases ordered by the first window with
 * data, ties by name. When an arm's control changes (its configured control appears late, or the
 * previous release was forgotten), its comparison starts over from that window.
 *
 * <p><b>Bounded state.</b> At most {@code max-arms-per-app} arms per app (further ones are ignored
 * and counted, {@code comparisonArmsIgnored}); an arm without data for {@code idle-ttl} is dropped,
 * and when the last arm goes, every state of the app and its timers go with it. State per arm: two
 * session sums (a few counts and four sketches of one value per session, about 10–40 KB), plus the
 * pending buckets (one per arm, folded at the next watermark).
 */
public class ComparisonFunction extends KeyedProcessFunction<String, SessionSummary, Comparison> {
    private static final long serialVersionUID = 1L;

    /** The latency metrics compared, in {@link ComparedMetric#latencyIndex} order. */
    static final LatencyMetric[] LATENCIES = {
        LatencyMetric.LOAD, LatencyMetric.LCP, LatencyMetric.INP, LatencyMetric.FETCH
    };

    private final ComparisonsConfig cfg;
    private final long bucket;
    private final double relativeAccuracy;

    private transient MapState<String, Arm> arms;
    private transient MapState<String, Bucket> pending;
    private transient ValueState<Long> lastEmitBucket;
    private transient ValueState<Long> foldedEnd;
    private transient ValueState<Long> cleanupAt;
    private transient Counter armsIgnored;
    private transient Counter updatesAfterFold;

    /**
     * @param bucket the metrics window: sessions closing within one are folded together
     * @param relativeAccuracy of the sketches of session values
     */
    public ComparisonFunction(ComparisonsConfig cfg, Duration bucket, double relativeAccuracy) {
        this.cfg = cfg;
        this.bucket = bucket.toMillis();
        this.relativeAccuracy = relativeAccuracy;
    }

    /** The sessions of one arm that closed within one bucket, waiting to be folded. A POJO. */
    public static class Bucket {
        public String dimension;
        public String value;
        public long windowStart;
        public long windowEnd;

        /** The earliest session start in the bucket, floored to the bucket size. */
        public long firstStart;

        public ArmSessions data;

        public Bucket() {}
    }

    /** The app of a session summary. */
    public static final class AppKey implements KeySelector<SessionSummary, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(SessionSummary s) {
            return s.app;
        }
    }

    /** The series the stage reads: variants, and releases when they are compared. */
    public static boolean relevant(String app, String dimension, String value, boolean releases) {
        if (app == null || value == null || CardinalityGuard.OTHER.equals(value)) {
            return false;
        }
        if (Dimension.VARIANT.configName().equals(dimension)) {
            int eq = value.indexOf('=');
            return eq > 0 && eq < value.length() - 1;
        }
        return releases && Dimension.RELEASE.configName().equals(dimension);
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        arms = KeyedStates.map(runtime, "comparison-arms", String.class, Arm.class);
        pending = KeyedStates.map(runtime, "comparison-pending", String.class, Bucket.class);
        lastEmitBucket = KeyedStates.value(runtime, "comparison-emitted", Long.class);
        foldedEnd = KeyedStates.value(runtime, "comparison-folded", Long.class);
        cleanupAt = KeyedStates.value(runtime, "comparison-cleanup", Long.class);
        armsIgnored = runtime.getMetricGroup().counter("comparisonArmsIgnored");
        updatesAfterFold = runtime.getMetricGroup().counter("comparisonUpdatesAfterFold");
    }

    /** When a bucket is complete: every summary stamped within it has arrived. */
    private static long finalAt(long windowEnd) {
        return windowEnd - 1;
    }

    @Override
    public void processElement(SessionSummary s, Context ctx, Collector<Comparison> out)
            throws Exception {
        if (!relevant(s.app, s.dimension, s.value, cfg.releases)) {
            return;
        }
        long start = Math.floorDiv(s.end, bucket) * bucket;
        Long folded = foldedEnd.value();
        if (folded != null && start + bucket <= folded) {
            // Cannot happen: a summary arrives before the watermark passes its timestamp. Counted,
            // so a broken upstream shows instead of silently changing a folded result.
            updatesAfterFold.inc();
            return;
        }
        String k = start + "\u0000" + s.dimension + "\u0000" + s.value;
        Bucket b = pending.get(k);
        if (b == null) {
            b = new Bucket();
            b.dimension = s.dimension;
            b.value = s.value;
            b.windowStart = start;
            b.windowEnd = start + bucket;
            b.firstStart = Long.MAX_VALUE;
            b.data = new ArmSessions(relativeAccuracy);
        }
        b.firstStart = Math.min(b.firstStart, Math.floorDiv(s.start, bucket) * bucket);
        b.data.add(s);
        pending.put(k, b);
        ctx.timerService().registerEventTimeTimer(finalAt(b.windowEnd));
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Comparison> out) throws Exception {
        // 1. The windows that are final now, by window start then series.
        TreeMap<String, Bucket> due = new TreeMap<>();
        List<String> dueKeys = new ArrayList<>();
        for (Map.Entry<String, Bucket> e : pending.entries()) {
            if (finalAt(e.getValue().windowEnd) <= ts) {
                Bucket w = e.getValue();
                due.put(String.format("%020d", w.windowStart) + e.getKey(), w);
                dueKeys.add(e.getKey());
            }
        }
        for (String k : dueKeys) pending.remove(k);

        Map<String, Arm> all = new TreeMap<>();
        for (Map.Entry<String, Arm> e : arms.entries()) all.put(e.getKey(), e.getValue());
        boolean changed = false;
        long folded = foldedEnd.value() == null ? Long.MIN_VALUE : foldedEnd.value();
        List<Bucket> group = new ArrayList<>();
        for (Bucket w : due.values()) {
            if (!group.isEmpty() && group.get(0).windowStart != w.windowStart) {
                fold(group, all);
                group.clear();
            }
            group.add(w);
            folded = Math.max(folded, w.windowEnd);
            changed = true;
        }
        if (!group.isEmpty()) fold(group, all);

        // 2. Forget idle arms; controls of the rest may change with them.
        boolean evicted = false;
        for (Arm a : new ArrayList<>(all.values())) {
            if (a.lastSeen + cfg.idleTtl.toMillis() <= ts) {
                all.remove(a.key());
                evicted = true;
            }
        }
        if (evicted) {
            assignControls(all, ts);
        }
        if (changed || evicted) {
            arms.clear();
            arms.putAll(all);
        }
        if (all.isEmpty()) {
            if (pending.isEmpty()) {
                clearAll(ctx);
            }
            return;
        }
        if (changed) {
            if (lastEmitBucket.value() == null) {
                // The first multiple of emit-every after the first window is the first emission.
                long firstStart = due.firstEntry().getValue().windowStart;
                lastEmitBucket.update(Math.floorDiv(firstStart, cfg.emitEvery.toMillis()));
            }
            foldedEnd.update(folded);
            long maxSeen = Long.MIN_VALUE;
            for (Arm a : all.values()) maxSeen = Math.max(maxSeen, a.lastSeen);
            long cleanup = maxSeen + cfg.idleTtl.toMillis();
            Long previous = cleanupAt.value();
            if (previous == null || previous != cleanup) {
                if (previous != null) ctx.timerService().deleteEventTimeTimer(previous);
                ctx.timerService().registerEventTimeTimer(cleanup);
                cleanupAt.update(cleanup);
            }
        }

        // 3. Emit when event time crossed a multiple of emit-every, and at the end of the input.
        boolean end = ctx.timerService().currentWatermark() == Long.MAX_VALUE && pending.isEmpty();
        Long f = foldedEnd.value();
        if (f == null) return;
        long emitBucket = Math.floorDiv(f, cfg.emitEvery.toMillis());
        Long emitted = lastEmitBucket.value();
        if (changed && (emitBucket > emitted || end)) {
            emit(ctx.getCurrentKey(), all, f, end, out);
            lastEmitBucket.update(emitBucket);
        }
    }

    /** Registers, assigns controls, then merges one window start's series, in that order. */
    private void fold(List<Bucket> windows, Map<String, Arm> all) {
        long start = windows.get(0).windowStart;
        for (Bucket w : windows) {
            Arm a = armOf(w, all, start);
            // A release is ordered by when its traffic began, not by when its first session
            // closed (which depends on the session's length): the earliest session start seen.
            if (a != null) a.firstSeen = Math.min(a.firstSeen, w.firstStart);
        }
        assignControls(all, start);
        for (int i = 0; i < windows.size(); i++) {
            Bucket w = windows.get(i);
            Arm x = all.get(keyOf(w));
            if (x == null) continue; // over budget
            x.lastSeen = Math.max(x.lastSeen, start);
            if (x.armData != null) x.armData.merge(w.data);
            for (Arm y : all.values()) {
                if (y != x && y.sameFamily(x) && x.name.equals(y.control)) {
                    y.controlData.merge(w.data);
                }
            }
        }
    }

    private static String keyOf(Bucket w) {
        if (Dimension.RELEASE.configName().equals(w.dimension)) {
            return Arm.key(Comparison.RELEASE, "", w.value);
        }
        int eq = w.value.indexOf('=');
        return Arm.key(Comparison.EXPERIMENT, w.value.substring(0, eq), w.value.substring(eq + 1));
    }

    private Arm armOf(Bucket w, Map<String, Arm> all, long start) {
        String k = keyOf(w);
        Arm a = all.get(k);
        if (a != null) return a;
        if (all.size() >= cfg.maxArmsPerApp) {
            armsIgnored.inc();
            return null;
        }
        a = new Arm();
        String[] parts = k.split("\u0000", -1);
        a.kind = parts[0];
        a.experiment = parts[1];
        a.name = parts[2];
        a.firstSeen = start;
        a.lastSeen = start;
        all.put(k, a);
        return a;
    }

    /** Decides every arm's control; an arm whose control changed starts over at {@code start}. */
    private void assignControls(Map<String, Arm> all, long start) {
        // families in a stable order
        Map<String, List<Arm>> families = new TreeMap<>();
        for (Arm a : all.values()) {
            families.computeIfAbsent(a.kind + '\u0000' + a.experiment, x -> new ArrayList<>())
                    .add(a);
        }
        for (List<Arm> family : families.values()) {
            if (Comparison.RELEASE.equals(family.get(0).kind)) {
                family.sort(
                        Comparator.comparingLong((Arm a) -> a.firstSeen)
                                .thenComparing(a -> a.name));
                for (int i = 0; i < family.size(); i++) {
                    setControl(family.get(i), i == 0 ? null : family.get(i - 1).name, start);
                }
            } else {
                String wanted = cfg.controlOf(family.get(0).experiment);
                String control = null;
                String first = null;
                for (Arm a : family) {
                    if (a.name.equals(wanted)) control = wanted;
                    if (first == null || a.name.compareTo(first) < 0) first = a.name;
                }
                if (control == null) control = first;
                for (Arm a : family) {
                    setControl(a, a.name.equals(control) ? null : control, start);
                }
            }
        }
    }

    private void setControl(Arm a, String control, long start) {
        boolean same = control == null ? a.control == null : control.equals(a.control);
        if (same) return;
        a.control = control;
        a.comparisonStart = start;
        a.armData = control == null ? null : new ArmSessions(relativeAccuracy);
        a.controlData = control == null ? null : new ArmSessions(relativeAccuracy);
    }

    private void emit(
            String app,
            Map<String, Arm> all,
            long windowEnd,
            boolean last,
            Collector<Comparison> out) {
        ArmComparison stats = ArmComparison.of(cfg);
        for (Arm a : all.values()) {
            if (a.control == null) continue;
            List<Comparison> rows = stats.compare(a.armData.stats(), a.controlData.stats());
            for (Comparison c : rows) {
                c.app = app;
                c.kind = a.kind;
                c.experiment = a.experiment.isEmpty() ? null : a.experiment;
                c.variant = a.name;
                c.control = a.control;
                c.windowStart = a.comparisonStart;
                c.windowEnd = windowEnd;
                c.last = last;
                c.id = idOf(app, a.kind, a.experiment, a.name, c.metric, windowEnd);
                c.statement =
                        ConfidenceStatement.of(c, cfg.alpha, cfg.minSamplesPerArm, cfg.sequential);
                out.collect(c);
            }
        }
    }

    private void clearAll(OnTimerContext ctx) throws Exception {
        Long c = cleanupAt.value();
        if (c != null) ctx.timerService().deleteEventTimeTimer(c);
        arms.clear();
        pending.clear();
        lastEmitBucket.clear();
        foldedEnd.clear();
        cleanupAt.clear();
    }

    /** {@code cmp-} and 24 hex digits of SHA-256 over the comparison and the point in time. */
    public static String idOf(
            String app,
            String kind,
            String experiment,
            String variant,
            String metric,
            long windowEnd) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    String.join(
                                                    "\u0000",
                                                    app,
                                                    kind,
                                                    experiment,
                                                    variant,
                                                    metric,
                                                    Long.toString(windowEnd))
                                            .getBytes(StandardCharsets.UTF_8));
            return "cmp-" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
