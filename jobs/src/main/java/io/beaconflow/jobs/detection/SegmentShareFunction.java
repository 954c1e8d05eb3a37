package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.share.ShareDetector;
import io.beaconflow.detectors.share.ShareSpec;
import io.beaconflow.detectors.share.ShareState;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.state.KeyedStates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Scores each segment's share of its app's page views ({@link ShareDetector}): the Flink shell.
 * Keyed by app, because a share needs the app's total of the same window, which the per-series
 * detector never sees.
 *
 * <p>Input: the metrics stage's rows (first firings) of the app total and of the watched
 * dimensions. A window's rows are held ({@code share-pending}) until the watermark reaches the
 * window's end − 1, the timestamp the metrics stage stamps them with: every upstream subtask has
 * then sent its rows of the window. At that timer every segment the app has seen is scored, those
 * without a row too (at 0 views: the metrics stage writes no row for an empty window, and an outage
 * of a whole browser is exactly that); the rows' session bitmaps feed the detector's silence test.
 * Output: one {@link AnomalySignal} per segment and window, metric {@link #METRIC}, kind
 * throughput, for the sustained pattern like any other signal.
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li>A window whose app total counted nothing is not scored: an app with no traffic is the app
 *       total's own count alert, and every share is undefined.
 *   <li>Late updates of a window, and rows of a window already decided, are not scored again (a
 *       baseline sees each window once); they are counted ({@code shareRowsLate}).
 *   <li>A segment without views for {@code idleTtl} of event time loses its state (a browser
 *       version that is gone), so state does not grow forever.
 * </ul>
 */
public class SegmentShareFunction
        extends KeyedProcessFunction<String, MetricAggregate, AnomalySignal> {
    private static final long serialVersionUID = 1L;

    /** The metric name of the signals (and of the alerts they open). */
    public static final String METRIC = "page_view_share";

    private final ShareSpec spec;
    private final long windowMs;
    private final long idleTtlMs;

    private transient ShareDetector detector;
    private transient MapState<Long, ShareWindow> pending;
    private transient MapState<String, ShareState> segments;
    private transient MapState<String, Long> lastViews;
    private transient Counter late;
    private transient Counter anomalies;
    private transient Counter silentRuns;

    public SegmentShareFunction(
            ShareSpec spec, java.time.Duration window, java.time.Duration idleTtl) {
        this.spec = spec;
        this.windowMs = window.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
    }

    /** The app's rows of one window, waiting for the watermark. */
    public static class ShareWindow {
        /** The app total's page views; NaN until its row came. */
        public double total = Double.NaN;

        /** The app total's received views per weighted view. */
        public double receivedShare = 1;

        /** Page views per segment ({@link #segmentKey}). */
        public Map<String, Double> views = new HashMap<>();

        /**
         * Session bitmaps per segment, for the silence test's arrivals (empty in state from before
         * it; a segment without one learns no arrivals).
         */
        public Map<String, Long> sessionBits = new HashMap<>();

        public ShareWindow() {}
    }

    /** A segment's key within its app: dimension and value, NUL-separated. */
    static String segmentKey(String dimension, String value) {
        return dimension + '\u0000' + value;
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        detector = new ShareDetector(spec);
        pending = KeyedStates.map(runtime, "share-pending", Long.class, ShareWindow.class);
        segments = KeyedStates.map(runtime, "share-segments", String.class, ShareState.class);
        lastViews = KeyedStates.map(runtime, "share-last-views", String.class, Long.class);
        late = runtime.getMetricGroup().counter("shareRowsLate");
        anomalies = runtime.getMetricGroup().counter("shareAnomalies");
        // Silent runs started (a segment without views after one with, while its arrivals are
        // known): the number of silence tests to budget for (docs/detector-quality.md).
        silentRuns = runtime.getMetricGroup().counter("shareSilentRuns");
    }

    @Override
    public void processElement(MetricAggregate row, Context ctx, Collector<AnomalySignal> out)
            throws Exception {
        long decideAt = row.windowEnd - 1;
        if (row.updateSeq > 0 || decideAt <= ctx.timerService().currentWatermark()) {
            late.inc();
            return;
        }
        ShareWindow w = pending.get(row.windowStart);
        if (w == null) {
            w = new ShareWindow();
            ctx.timerService().registerEventTimeTimer(decideAt);
        }
        if (Dimension.ALL.configName().equals(row.dimension)) {
            w.total = row.pageViews;
            // error_rate's denominator is the received page views (MetricAggregate#denominator)
            w.receivedShare = row.pageViews > 0 ? row.denominator("error_rate") / row.pageViews : 1;
        } else if (row.pageViews > 0) {
            String key = segmentKey(row.dimension, row.dimensionValue);
            w.views.put(key, row.pageViews);
            if (row.sessionBits != null) {
                w.sessionBits.put(key, row.sessionBits);
            }
        }
        pending.put(row.windowStart, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        long windowStart = timestamp + 1 - windowMs;
        ShareWindow w = pending.get(windowStart);
        pending.remove(windowStart);
        if (w == null || !(w.total > 0)) {
            return;
        }
        List<String> known = new ArrayList<>();
        for (String k : segments.keys()) {
            known.add(k);
        }
        for (String k : w.views.keySet()) {
            if (!segments.contains(k)) {
                known.add(k);
            }
        }
        String app = ctx.getCurrentKey();
        for (String k : known) {
            Double views = w.views.get(k);
            if (views != null) {
                lastViews.put(k, windowStart);
            } else {
                Long seen = lastViews.get(k);
                if (seen == null || windowStart - seen >= idleTtlMs) {
                    segments.remove(k);
                    lastViews.remove(k);
                    continue;
                }
            }
            ShareState st = segments.get(k);
            if (st == null) {
                st = detector.newState();
            }
            Long bits = w.sessionBits == null ? null : w.sessionBits.get(k);
            ShareDetector.Result r =
                    detector.update(
                            st,
                            views == null ? 0 : views,
                            w.total,
                            w.receivedShare,
                            bits == null ? 0 : bits);
            segments.put(k, st);
            if (st.silentRun == 1 && !Double.isNaN(st.silentRate) && st.silentRate > 0) {
                silentRuns.inc();
            }
            if (Double.isNaN(r.z())) {
                continue; // warming up, or no scale expects enough views: no verdict
            }
            if (r.anomaly()) {
                anomalies.inc();
            }
            out.collect(signal(app, k, windowStart, w.total, r));
        }
    }

    private AnomalySignal signal(
            String app, String segment, long windowStart, double total, ShareDetector.Result r) {
        int cut = segment.indexOf('\u0000');
        AnomalySignal s = new AnomalySignal();
        s.app = app;
        s.dimension = segment.substring(0, cut);
        s.dimensionValue = segment.substring(cut + 1);
        s.series = AnomalySignal.seriesName(app, s.dimension, s.dimensionValue);
        s.metric = METRIC;
        s.metricKind = "throughput";
        s.windowStart = windowStart;
        s.windowEnd = windowStart + windowMs;
        s.observed = r.share();
        s.denominator = total;
        s.expected = r.expectedShare();
        // The band: the share the test tolerates before it starts counting evidence.
        s.lower = (1 - spec.margin()) * r.expectedShare();
        s.upper = null;
        s.z = r.z();
        double absZ = Math.abs(r.z());
        // As the detectors score: |z| / (|z| + threshold), at least 0.5 for an anomaly.
        double score = r.z() < 0 ? absZ / (absZ + spec.zThreshold()) : 0;
        s.score = r.anomaly() ? Math.max(0.5, score) : Math.min(score, 0.499);
        s.direction = r.z() < 0 ? "down" : "up";
        s.anomaly = r.anomaly();
        return s;
    }
}
