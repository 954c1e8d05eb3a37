package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.enrich.CardinalityGuard;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.LatencyMetric;
import io.beaconflow.jobs.metrics.MetricAccumulator;
import io.beaconflow.jobs.metrics.SeriesWindow;
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
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Experiments and releases compared, keyed by app, in event time. Input: the metric stage's
 * per-window accumulators of the variant and release series ({@link SeriesWindow}); output: one
 * {@link Comparison} per arm and metric every {@code comparisons.emit-every} of event time and at
 * the end of a bounded input. The statistics are {@link ArmComparison}'s (plain Java).
 *
 * <p><b>Which windows count.</b> A window is folded into the comparison only once it is final: when
 * the watermark passes its end + the metrics' allowed lateness, after which the window operator
 * sends no more updates (each update carries the window's full aggregate and replaces the pending
 * one). So a comparison never counts a window twice, and its documents do not depend on when late
 * events arrived: the same input gives the same documents under the same ids. The price is delay:
 * documents lag event time by the allowed lateness.
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
 * accumulators (about 10–40 KB with four latency sketches each), plus the pending windows (at most
 * allowed lateness / window per arm).
 */
public class ComparisonFunction extends KeyedProcessFunction<String, SeriesWindow, Comparison> {
    private static final long serialVersionUID = 1L;

    /** The latency metrics compared, in {@link ComparedMetric#latencyIndex} order. */
    static final LatencyMetric[] LATENCIES = {
        LatencyMetric.LOAD, LatencyMetric.LCP, LatencyMetric.INP, LatencyMetric.FETCH
    };

    private final ComparisonsConfig cfg;
    private final long lateness;
    private final double relativeAccuracy;

    private transient MapState<String, Arm> arms;
    private transient MapState<String, SeriesWindow> pending;
    private transient ValueState<Long> lastEmitBucket;
    private transient ValueState<Long> foldedEnd;
    private transient ValueState<Long> cleanupAt;
    private transient Counter armsIgnored;
    private transient Counter updatesAfterFold;

    public ComparisonFunction(
            ComparisonsConfig cfg, Duration allowedLateness, double relativeAccuracy) {
        this.cfg = cfg;
        this.lateness = allowedLateness.toMillis();
        this.relativeAccuracy = relativeAccuracy;
    }

    /** The app of a series window. */
    public static final class AppKey implements KeySelector<SeriesWindow, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(SeriesWindow w) {
            return w.app;
        }
    }

    /** The series the stage reads: variants, and releases when they are compared. */
    public static boolean relevant(SeriesWindow w, boolean releases) {
        if (w.app == null || w.value == null || CardinalityGuard.OTHER.equals(w.value)) {
            return false;
        }
        if (Dimension.VARIANT.configName().equals(w.dimension)) {
            int eq = w.value.indexOf('=');
            return eq > 0 && eq < w.value.length() - 1;
        }
        return releases && Dimension.RELEASE.configName().equals(w.dimension);
    }

    @Override
    public void open(OpenContext openContext) {
        arms =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "comparison-arms",
                                        Types.STRING,
                                        TypeInformation.of(Arm.class)));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "comparison-pending",
                                        Types.STRING,
                                        TypeInformation.of(SeriesWindow.class)));
        lastEmitBucket =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("comparison-emitted", Types.LONG));
        foldedEnd =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("comparison-folded", Types.LONG));
        cleanupAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("comparison-cleanup", Types.LONG));
        armsIgnored = getRuntimeContext().getMetricGroup().counter("comparisonArmsIgnored");
        updatesAfterFold =
                getRuntimeContext().getMetricGroup().counter("comparisonUpdatesAfterFold");
    }

    /** When a window can no longer change: the window operator's cleanup time. */
    private long finalAt(long windowEnd) {
        return windowEnd - 1 + lateness;
    }

    @Override
    public void processElement(SeriesWindow w, Context ctx, Collector<Comparison> out)
            throws Exception {
        if (!relevant(w, cfg.releases) || w.acc == null) {
            return;
        }
        Long folded = foldedEnd.value();
        if (folded != null && w.windowEnd <= folded) {
            // Cannot happen while the lateness here matches the window operator's; counted, so
            // a mismatch shows instead of silently double counting.
            updatesAfterFold.inc();
            return;
        }
        String k = pendingKey(w);
        SeriesWindow before = pending.get(k);
        if (before == null || before.updateSeq <= w.updateSeq) {
            pending.put(k, w);
        }
        ctx.timerService().registerEventTimeTimer(finalAt(w.windowEnd));
    }

    private static String pendingKey(SeriesWindow w) {
        return w.windowStart + "\u0000" + w.dimension + "\u0000" + w.value;
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<Comparison> out) throws Exception {
        // 1. The windows that are final now, by window start then series.
        TreeMap<String, SeriesWindow> due = new TreeMap<>();
        List<String> dueKeys = new ArrayList<>();
        for (Map.Entry<String, SeriesWindow> e : pending.entries()) {
            if (finalAt(e.getValue().windowEnd) <= ts) {
                SeriesWindow w = e.getValue();
                due.put(String.format("%020d", w.windowStart) + e.getKey(), w);
                dueKeys.add(e.getKey());
            }
        }
        for (String k : dueKeys) pending.remove(k);

        Map<String, Arm> all = new TreeMap<>();
        for (Map.Entry<String, Arm> e : arms.entries()) all.put(e.getKey(), e.getValue());
        boolean changed = false;
        long folded = foldedEnd.value() == null ? Long.MIN_VALUE : foldedEnd.value();
        List<SeriesWindow> group = new ArrayList<>();
        for (SeriesWindow w : due.values()) {
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
        long bucket = Math.floorDiv(f, cfg.emitEvery.toMillis());
        Long emitted = lastEmitBucket.value();
        if (changed && (bucket > emitted || end)) {
            emit(ctx.getCurrentKey(), all, f, end, out);
            lastEmitBucket.update(bucket);
        }
    }

    /** Registers, assigns controls, then merges one window start's series, in that order. */
    private void fold(List<SeriesWindow> windows, Map<String, Arm> all) {
        long start = windows.get(0).windowStart;
        for (SeriesWindow w : windows) {
            armOf(w, all, start);
        }
        assignControls(all, start);
        for (int i = 0; i < windows.size(); i++) {
            SeriesWindow w = windows.get(i);
            Arm x = all.get(keyOf(w));
            if (x == null) continue; // over budget
            x.lastSeen = Math.max(x.lastSeen, start);
            if (x.armData != null) x.armData.merge(w.acc);
            for (Arm y : all.values()) {
                if (y != x && y.sameFamily(x) && x.name.equals(y.control)) {
                    y.controlData.merge(w.acc);
                }
            }
        }
    }

    private static String keyOf(SeriesWindow w) {
        if (Dimension.RELEASE.configName().equals(w.dimension)) {
            return Arm.key(Comparison.RELEASE, "", w.value);
        }
        int eq = w.value.indexOf('=');
        return Arm.key(Comparison.EXPERIMENT, w.value.substring(0, eq), w.value.substring(eq + 1));
    }

    private Arm armOf(SeriesWindow w, Map<String, Arm> all, long start) {
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
        a.armData = control == null ? null : new MetricAccumulator(relativeAccuracy);
        a.controlData = control == null ? null : new MetricAccumulator(relativeAccuracy);
    }

    private void emit(
            String app,
            Map<String, Arm> all,
            long windowEnd,
            boolean last,
            Collector<Comparison> out) {
        ArmComparison stats = new ArmComparison(cfg.alpha, cfg.minSamplesPerArm);
        for (Arm a : all.values()) {
            if (a.control == null) continue;
            List<Comparison> rows = stats.compare(statsOf(a.armData), statsOf(a.controlData));
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
                c.statement = ConfidenceStatement.of(c, cfg.alpha, cfg.minSamplesPerArm);
                out.collect(c);
            }
        }
    }

    /** Received counts: weighted counts × the sampled share (received / weighted events). */
    static ArmStats statsOf(MetricAccumulator acc) {
        ArmStats s = new ArmStats();
        double share = acc.events() > 0 ? Math.min(1, acc.samples() / acc.events()) : 1;
        s.pageViews = Math.round(acc.pageViews() * share);
        s.jsErrors = Math.round(acc.jsErrors() * share);
        s.fetches = Math.round(acc.fetches() * share);
        s.fetchFailures = Math.round(acc.fetchFailures() * share);
        for (int i = 0; i < LATENCIES.length; i++) {
            s.latency[i] = Binned.ofSketch(acc.sketch(LATENCIES[i]), acc.count(LATENCIES[i]));
        }
        return s;
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
