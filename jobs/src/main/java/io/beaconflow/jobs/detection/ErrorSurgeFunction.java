package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.surge.SurgeDetector;
import io.beaconflow.detectors.surge.SurgeSpec;
import io.beaconflow.detectors.surge.SurgeState;
import io.beaconflow.jobs.errors.ErrorGroupTracker;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
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
 *   <li>The app's first {@code warmupWindows} windows (from its first error) only learn.
 *   <li>Counts of a window already decided are not scored again; they are counted ({@code
 *       surgeCountsLate}).
 *   <li>An error without a new session for {@code idleTtl} loses its state; the same timer chain
 *       that scores the active errors stops when none is active, so an app without errors holds no
 *       timer.
 * </ul>
 */
public class ErrorSurgeFunction
        extends KeyedProcessFunction<String, ErrorWindowCount, AnomalySignal> {
    private static final long serialVersionUID = 1L;

    /** The metric name of the signals (and of the alerts they open), as the new-error alert's. */
    public static final String METRIC = ErrorGroupTracker.METRIC;

    private final SurgeSpec spec;
    private final long windowMs;
    private final long idleTtlMs;

    private transient SurgeDetector detector;
    private transient MapState<Long, SurgeWindow> pending;
    private transient MapState<String, ErrorSurgeState> errors;
    private transient ValueState<Long> firstWindow;
    private transient Counter late;
    private transient Counter anomalies;

    public ErrorSurgeFunction(
            SurgeSpec spec, java.time.Duration window, java.time.Duration idleTtl) {
        this.spec = spec;
        this.windowMs = window.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
    }

    /** The app's counts of one window, waiting for the watermark. */
    public static class SurgeWindow {
        /** New sessions per fingerprint. */
        public Map<String, Long> counts = new HashMap<>();

        public SurgeWindow() {}
    }

    /** One error of the app: the detector's state and when it was last active and scored. */
    public static class ErrorSurgeState {
        public SurgeState surge;

        /** Start of the last window with a new session. */
        public long lastActive;

        /** Start of the last window scored. */
        public long lastScored;

        public ErrorSurgeState() {}
    }

    @Override
    public void open(OpenContext openContext) {
        detector = new SurgeDetector(spec);
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "surge-pending",
                                        Types.LONG,
                                        TypeInformation.of(SurgeWindow.class)));
        errors =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "surge-errors",
                                        Types.STRING,
                                        TypeInformation.of(ErrorSurgeState.class)));
        firstWindow =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("surge-first-window", Types.LONG));
        late = getRuntimeContext().getMetricGroup().counter("surgeCountsLate");
        anomalies = getRuntimeContext().getMetricGroup().counter("surgeAnomalies");
    }

    @Override
    public void processElement(ErrorWindowCount c, Context ctx, Collector<AnomalySignal> out)
            throws Exception {
        long decideAt = c.windowEnd - 1;
        if (decideAt <= ctx.timerService().currentWatermark()) {
            late.inc();
            return;
        }
        if (firstWindow.value() == null) {
            firstWindow.update(c.windowStart);
        }
        SurgeWindow w = pending.get(c.windowStart);
        if (w == null) {
            w = new SurgeWindow();
            ctx.timerService().registerEventTimeTimer(decideAt);
        }
        w.counts.merge(c.fingerprint, c.newSessions, Long::sum);
        pending.put(c.windowStart, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        long windowStart = timestamp + 1 - windowMs;
        SurgeWindow w = pending.get(windowStart);
        pending.remove(windowStart);
        if (w == null) {
            w = new SurgeWindow();
        }
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
        long activeSpan = spec.maxWindows() * windowMs;
        boolean anyActive = false;
        for (String fp : known) {
            long n = w.counts.getOrDefault(fp, 0L);
            ErrorSurgeState st = errors.get(fp);
            if (st == null) {
                st = new ErrorSurgeState();
                st.surge = detector.newState(appWarm);
                st.lastScored = windowStart - windowMs;
                st.lastActive = windowStart;
            }
            if (n == 0) {
                if (windowStart - st.lastActive >= idleTtlMs) {
                    errors.remove(fp);
                    continue;
                }
                if (windowStart - st.lastActive >= activeSpan) {
                    continue; // dormant: decayed when it comes back
                }
            }
            detector.skip(st.surge, (windowStart - st.lastScored) / windowMs - 1);
            SurgeDetector.Result r = detector.update(st.surge, n);
            st.lastScored = windowStart;
            if (n > 0) {
                st.lastActive = windowStart;
            }
            errors.put(fp, st);
            if (r.anomaly()) {
                anomalies.inc();
            }
            out.collect(signal(app, fp, windowStart, r));
            anyActive |= windowStart + windowMs - st.lastActive < activeSpan;
        }
        if (anyActive) {
            // The next window is scored even if no error has a new session in it.
            ctx.timerService().registerEventTimeTimer(timestamp + windowMs);
        } else if (!errors.isEmpty()) {
            // Only dormant errors: wake when the oldest of them reaches its idle TTL.
            long wake = Long.MAX_VALUE;
            for (ErrorSurgeState st : errors.values()) {
                wake = Math.min(wake, st.lastActive + idleTtlMs);
            }
            ctx.timerService().registerEventTimeTimer(wake + windowMs - 1);
        } else {
            firstWindow.clear();
        }
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
