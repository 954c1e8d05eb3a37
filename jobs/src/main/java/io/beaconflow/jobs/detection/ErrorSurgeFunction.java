package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.surge.SurgeDetector;
import io.beaconflow.detectors.surge.SurgeSpec;
import io.beaconflow.detectors.surge.SurgeState;
import io.beaconflow.jobs.errors.ErrorGroupTracker;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.state.KeyedStates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Scores each error group's newly hit sessions per window ({@link SurgeDetector}): the Flink shell.
 * Keyed by app, because whether an error is new depends on how long the app's errors have been
 * watched (every error is a first occurrence when the job starts), which one error's key cannot
 * know.
 *
 * <p>Input: the error groups' {@link ErrorGroupTracker#WINDOW_COUNTS}, stamped with their window's
 * end − 1 and sent when the watermark passes it. A window's counts are held ({@code surge-pending})
 * until this operator's watermark reaches the same instant: every upstream subtask has then sent
 * its counts. At that timer every error of the app that had a new session in the last {@code
 * maxWindows} windows is scored, those without one in this window at 0; an error quiet for longer
 * is dormant (not scored; its rate decays when it comes back). Output: one {@link AnomalySignal}
 * per scored error and window, series {@code app|error_fingerprint|fingerprint}, metric {@link
 * #METRIC}, kind error_rate, for the sustained pattern like any other signal. The alert's
 * root-cause hints name the segments that carry the app's extra error rate in the same windows
 * ({@code AlertLifecycle}).
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>The app's first {@code warmupWindows} windows (from its first row) only learn.
 *   <li>A window whose app total counted no page view is not scored (there is nothing to expect
 *       errors from); its counts are dropped and counted ({@code surgeCountsLate}).
 *   <li>Counts of a window already decided are not scored again; they are counted ({@code
 *       surgeCountsLate}).
 *   <li>An error without a new session for {@code idleTtl} loses its state; the same timer chain
 *       that scores the active errors stops when none is active, so an app without errors holds no
 *       timer.
 * </ul>
 */
public class ErrorSurgeFunction
        extends KeyedCoProcessFunction<String, MetricAggregate, ErrorWindowCount, AnomalySignal> {
    private static final long serialVersionUID = 1L;

    /** The metric name of the signals (and of the alerts they open), as the new-error alert's. */
    public static final String METRIC = ErrorGroupTracker.METRIC;

    /** The segments' hints are judged on: browser, country, device, os, route, release rows. */
    public static final java.util.Set<String> HINTED =
            java.util.Set.of("browser", "country", "device", "os", "route", "release");

    /** Weight of one window in the app's views per segment. */
    static final double ALPHA = 0.05;

    /** A hint's segment holds at least this share of the error's sessions ... */
    static final double HINT_SHARE = 0.8;

    /** ... more than the app's views there give with this probability at most. */
    static final double HINT_TAIL = 1e-3;

    private final SurgeSpec spec;
    private final long windowMs;
    private final long idleTtlMs;

    private transient SurgeDetector detector;
    private transient MapState<Long, SurgeWindow> pending;
    private transient MapState<String, ErrorSurgeState> errors;
    private transient ValueState<Long> firstWindow;
    private transient MapState<String, Double> appSegments;
    private transient ValueState<Double> appViews;
    private transient Counter late;
    private transient Counter anomalies;

    public ErrorSurgeFunction(
            SurgeSpec spec, java.time.Duration window, java.time.Duration idleTtl) {
        this.spec = spec;
        this.windowMs = window.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
    }

    /** The app's total and counts of one window, waiting for the watermark. */
    public static class SurgeWindow {
        /** The app total's page views; NaN until its row came. */
        public double views = Double.NaN;

        /** The app's page views per segment ({@code dimension=value}) of {@link #HINTED}. */
        public Map<String, Double> segmentViews = new HashMap<>();

        /**
         * The errors' new sessions per segment: key {@code fingerprint NUL dimension=value} (one
         * flat map: Flink's POJO serializer takes a map of maps as a generic type).
         */
        public Map<String, Long> segments = new HashMap<>();

        /** New sessions per fingerprint. */
        public Map<String, Long> counts = new HashMap<>();

        public SurgeWindow() {}
    }

    /** One error of the app: the detector's state and when it was last active. */
    public static class ErrorSurgeState {
        public SurgeState surge;

        /** Start of the last window with a new session. */
        public long lastActive;

        /**
         * New sessions per segment in the last {@code maxWindows} windows: key {@code windowStart
         * NUL dimension=value}.
         */
        public Map<String, Long> recent = new HashMap<>();

        public ErrorSurgeState() {}
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        detector = new SurgeDetector(spec);
        pending = KeyedStates.map(runtime, "surge-pending", Long.class, SurgeWindow.class);
        errors = KeyedStates.map(runtime, "surge-errors", String.class, ErrorSurgeState.class);
        firstWindow = KeyedStates.value(runtime, "surge-first-window", Long.class);
        appSegments = KeyedStates.map(runtime, "surge-app-segments", String.class, Double.class);
        appViews = KeyedStates.value(runtime, "surge-app-views", Double.class);
        late = runtime.getMetricGroup().counter("surgeCountsLate");
        anomalies = runtime.getMetricGroup().counter("surgeAnomalies");
    }

    @Override
    public void processElement1(MetricAggregate row, Context ctx, Collector<AnomalySignal> out)
            throws Exception {
        SurgeWindow w = pendingWindow(row.windowStart, row.windowEnd, ctx);
        if (w == null) {
            return;
        }
        if (Dimension.ALL.configName().equals(row.dimension)) {
            if (firstWindow.value() == null) {
                firstWindow.update(row.windowStart);
            }
            w.views = row.pageViews;
        } else if (row.pageViews > 0) {
            w.segmentViews.put(row.dimension + "=" + row.dimensionValue, row.pageViews);
        }
        pending.put(row.windowStart, w);
    }

    @Override
    public void processElement2(ErrorWindowCount c, Context ctx, Collector<AnomalySignal> out)
            throws Exception {
        SurgeWindow w = pendingWindow(c.windowStart, c.windowEnd, ctx);
        if (w == null) {
            return;
        }
        w.counts.merge(c.fingerprint, c.newSessions, Long::sum);
        if (c.segments != null) {
            c.segments.forEach(
                    (k, v) -> w.segments.merge(c.fingerprint + '\u0000' + k, v, Long::sum));
        }
        pending.put(c.windowStart, w);
    }

    /** The pending window, with its timer; null when it was decided already. */
    private SurgeWindow pendingWindow(long windowStart, long windowEnd, Context ctx)
            throws Exception {
        long decideAt = windowEnd - 1;
        if (decideAt <= ctx.timerService().currentWatermark()) {
            late.inc();
            return null;
        }
        SurgeWindow w = pending.get(windowStart);
        if (w == null) {
            w = new SurgeWindow();
            ctx.timerService().registerEventTimeTimer(decideAt);
        }
        return w;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        long windowStart = timestamp + 1 - windowMs;
        SurgeWindow w = pending.get(windowStart);
        pending.remove(windowStart);
        if (w == null) {
            return;
        }
        if (!(w.views > 0)) {
            if (!w.counts.isEmpty()) {
                late.inc();
            }
            return;
        }
        learnSegments(w);
        Long first = firstWindow.value();
        boolean appWarm = first != null && (windowStart - first) / windowMs >= spec.warmupWindows();
        List<String> known = new ArrayList<>();
        for (String k : errors.keys()) {
            known.add(k);
        }
        for (String k : w.counts.keySet()) {
            if (!errors.contains(k)) {
                known.add(k);
            }
        }
        String app = ctx.getCurrentKey();
        for (String fp : known) {
            long n = w.counts.getOrDefault(fp, 0L);
            ErrorSurgeState st = errors.get(fp);
            if (st == null) {
                st = new ErrorSurgeState();
                st.surge = detector.newState(appWarm);
                st.lastActive = windowStart;
            }
            if (n == 0 && windowStart - st.lastActive >= idleTtlMs) {
                errors.remove(fp);
                continue;
            }
            SurgeDetector.Result r = detector.update(st.surge, n, w.views);
            if (n > 0) {
                st.lastActive = windowStart;
            }
            remember(st, windowStart, fp, w.segments);
            errors.put(fp, st);
            AnomalySignal signal = signal(app, fp, windowStart, r);
            if (r.anomaly()) {
                anomalies.inc();
                signal.hints = hints(st, windowStart - (r.windows() - 1) * windowMs, r.sessions());
            }
            out.collect(signal);
        }
    }

    /**
     * The app's share of views per segment, as EW sums (the detectors' alpha 0.05): what the
     * error's concentration on a segment is judged against.
     */
    private void learnSegments(SurgeWindow w) throws Exception {
        Map<String, Double> views = withRouteGlobs(w.segmentViews);
        Double total = appViews.value();
        appViews.update(total == null ? w.views : total + ALPHA * (w.views - total));
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Double> e : appSegments.entries()) {
            double v = e.getValue() + ALPHA * (views.getOrDefault(e.getKey(), 0.0) - e.getValue());
            if (v < 1e-3) {
                gone.add(e.getKey()); // a segment without views for hours
            } else {
                e.setValue(v);
            }
        }
        for (String k : gone) {
            appSegments.remove(k);
        }
        for (Map.Entry<String, Double> e : views.entrySet()) {
            if (!appSegments.contains(e.getKey())) {
                appSegments.put(e.getKey(), total == null ? e.getValue() : ALPHA * e.getValue());
            }
        }
    }

    /** Keeps the error's segments of this window and forgets those past the longest scale. */
    private void remember(
            ErrorSurgeState st, long windowStart, String fingerprint, Map<String, Long> segments) {
        String prefix = fingerprint + '\u0000';
        for (Map.Entry<String, Long> e : segments.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                st.recent.put(
                        windowStart + "\u0000" + e.getKey().substring(prefix.length()),
                        e.getValue());
            }
        }
        long oldest = windowStart - (spec.maxWindows() - 1) * windowMs;
        st.recent.keySet().removeIf(k -> windowOf(k) < oldest);
    }

    private static long windowOf(String recentKey) {
        return Long.parseLong(recentKey.substring(0, recentKey.indexOf('\u0000')));
    }

    /**
     * The segments the error's sessions of the deciding scale concentrate on, beyond what the app's
     * views there would give by chance: at least {@link #HINT_SHARE} of the sessions and a binomial
     * upper tail under {@link #HINT_TAIL} at the segment's share of the app's views.
     */
    private List<String> hints(ErrorSurgeState st, long from, long sessions) throws Exception {
        Map<String, Long> sum = new HashMap<>();
        for (Map.Entry<String, Long> e : st.recent.entrySet()) {
            if (windowOf(e.getKey()) >= from) {
                String segment = e.getKey().substring(e.getKey().indexOf('\u0000') + 1);
                sum.merge(segment, e.getValue(), Long::sum);
            }
        }
        addRouteGlobs(sum);
        Double total = appViews.value();
        List<double[]> ranked = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Long> e : sum.entrySet()) {
            long c = e.getValue();
            Double seg = appSegments.get(e.getKey());
            if (total == null || !(total > 0) || seg == null || sessions <= 0) {
                continue;
            }
            double p = Math.min(1, seg / total);
            if (c < spec.minSessions() || c < HINT_SHARE * sessions || p >= 1) {
                continue;
            }
            double tail =
                    1
                            - new BinomialDistribution(null, (int) sessions, p)
                                    .cumulativeProbability((int) c - 1);
            if (tail <= HINT_TAIL) {
                ranked.add(new double[] {tail, c, p, keys.size()});
                keys.add(e.getKey());
            }
        }
        ranked.sort(
                java.util.Comparator.<double[]>comparingDouble(a -> a[0])
                        .thenComparing(a -> keys.get((int) a[3])));
        List<String> out = new ArrayList<>();
        for (double[] h : ranked) {
            if (out.size() >= 3) break;
            out.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "%s has %d of the error's %d new sessions (%d%% of the app's views)",
                            keys.get((int) h[3]),
                            (long) h[1],
                            sessions,
                            Math.round(h[2] * 100)));
        }
        return out;
    }

    /**
     * The glob of a route segment key: {@code route=/checkout/*} for {@code
     * route=/checkout/payment}, the routes that differ from it in their last path segment only (the
     * {@code *} stands for exactly one segment). Null for other dimensions and for one-segment
     * routes, whose glob ({@code /*}) would say nothing.
     *
     * <p>Why: an error that hits every step of a flow ({@code /checkout/shipping}, {@code
     * /checkout/payment}, ...) spreads its sessions over routes the template learner rightly keeps
     * apart (a handful of fixed values, not a parameter), so no single route holds enough of them
     * to be named; their glob does.
     */
    static String routeGlob(String segmentKey) {
        if (!segmentKey.startsWith(ROUTE_KEY)) {
            return null;
        }
        int last = segmentKey.lastIndexOf('/');
        if (last <= ROUTE_KEY.length() || last == segmentKey.length() - 1) {
            return null;
        }
        return segmentKey.substring(0, last + 1) + "*";
    }

    private static final String ROUTE_KEY = "route=";

    /** {@code views} plus, per route glob, the views of its routes. */
    static Map<String, Double> withRouteGlobs(Map<String, Double> views) {
        Map<String, Double> out = new HashMap<>(views);
        for (Map.Entry<String, Double> e : views.entrySet()) {
            String glob = routeGlob(e.getKey());
            if (glob != null) {
                out.merge(glob, e.getValue(), Double::sum);
            }
        }
        return out;
    }

    /**
     * Adds to an error's sessions per segment those of each route glob that more than one of its
     * routes contributes to (a glob with one route would repeat that route's hint).
     */
    static void addRouteGlobs(Map<String, Long> sessions) {
        Map<String, Long> globs = new HashMap<>();
        Map<String, Integer> routes = new HashMap<>();
        for (Map.Entry<String, Long> e : sessions.entrySet()) {
            String glob = routeGlob(e.getKey());
            if (glob != null && e.getValue() > 0) {
                globs.merge(glob, e.getValue(), Long::sum);
                routes.merge(glob, 1, Integer::sum);
            }
        }
        globs.forEach(
                (glob, n) -> {
                    if (routes.get(glob) > 1) {
                        sessions.put(glob, n);
                    }
                });
    }

    private AnomalySignal signal(
            String app, String fingerprint, long windowStart, SurgeDetector.Result r) {
        AnomalySignal s = new AnomalySignal();
        s.app = app;
        s.dimension = ErrorGroupTracker.DIMENSION;
        s.dimensionValue = fingerprint;
        s.series = AnomalySignal.seriesName(app, s.dimension, s.dimensionValue);
        s.metric = METRIC;
        s.metricKind = "error_rate";
        s.windowStart = windowStart;
        s.windowEnd = windowStart + windowMs;
        // Pooled over the scale that decided (or this window while no scale may alert).
        s.observed = r.sessions();
        s.expected = r.expected();
        s.denominator = (double) r.windows();
        s.lower = null;
        s.upper = spec.minRatio() * r.expected();
        if (Double.isNaN(r.z())) {
            s.z = null;
            s.score = 0;
        } else {
            s.z = r.z();
            double z = Math.max(0, r.z());
            // As the detectors score: z / (z + threshold), at least 0.5 for an anomaly.
            double score = z / (z + spec.zThreshold());
            s.score = r.anomaly() ? Math.max(0.5, score) : Math.min(score, 0.499);
        }
        s.direction = "up";
        s.anomaly = r.anomaly();
        return s;
    }
}
