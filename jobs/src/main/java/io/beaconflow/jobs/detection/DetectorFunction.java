package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.jobs.metrics.MetricAggregate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Scores every aggregate row with the configured detectors: the Flink shell around {@code
 * detectors/}. Keyed by series; one {@link DetectorState} per metric in keyed state, so baselines
 * are checkpointed and follow their key on rescaling. Specs come from broadcast state ({@link
 * SpecBroadcast}) and can change while running.
 *
 * <p>Outputs: the row with a verdict per metric ({@link ScoredAggregate}, main output, to the
 * metrics index); one {@link AnomalySignal} per scored metric, normal or not ({@link #SIGNALS}, for
 * the CEP patterns); rejected spec updates ({@link #REJECTED}).
 *
 * <p>Decisions:
 *
 * <ul>
 *   <li><b>Late updates of a window</b> ({@code updateSeq > 0}, or a window not newer than the last
 *       scored one) do not feed the detectors again: a baseline must see each window once, and the
 *       detector rejects non-increasing timestamps anyway. The row is passed on with the scores of
 *       its first firing (kept for the allowed lateness), so the overwriting document keeps its
 *       band; no signal is emitted (CEP has already seen that window).
 *   <li><b>Spec changes</b> keep the state: the spec is resolved per metric for every row, so a new
 *       threshold applies to the next window with the old baseline. Only a change of scale
 *       (transform, log offset, scorer; see {@link SpecSet#stateFingerprint}) restarts a metric's
 *       state, and the detector restarts the seasonal part by itself when the slot layout changes.
 *       A metric removed from the spec loses its state.
 *   <li><b>Idle series</b> (a route nobody visits any more) are cleared after {@code idleTtl} of
 *       event time without a row, by an event-time timer, so state does not grow forever.
 * </ul>
 */
public class DetectorFunction
        extends KeyedBroadcastProcessFunction<
                String, MetricAggregate, SpecUpdate, ScoredAggregate> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<AnomalySignal> SIGNALS =
            new OutputTag<>("anomaly-signals", TypeInformation.of(AnomalySignal.class));

    public static final OutputTag<SpecRejection> REJECTED =
            new OutputTag<>("rejected-specs", TypeInformation.of(SpecRejection.class));

    /** Default idle-series cleanup: a week of event time without a row. */
    public static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(7);

    private final SpecBroadcast specs;
    private final long retainScoresMs;
    private final long idleTtlMs;

    private transient MapState<String, DetectorState> detectorState;
    private transient MapState<String, String> stateFingerprint;
    private transient MapState<Long, WindowScores> recentScores;
    private transient ValueState<Long> lastScoredWindow;
    private transient ValueState<Long> specVersionSeen;
    private transient ValueState<Long> cleanupAt;
    private transient Counter anomalies;
    private transient Counter lateUpdates;
    private transient Counter rejections;

    /**
     * @param initial the spec file read at job start
     * @param allowedLateness how long late updates of a window can come (scores are kept that long)
     * @param idleTtl event time without a row after which a series' state is dropped
     */
    public DetectorFunction(SpecUpdate initial, Duration allowedLateness, Duration idleTtl) {
        this.specs = new SpecBroadcast(initial);
        this.retainScoresMs = allowedLateness.toMillis();
        this.idleTtlMs = idleTtl.toMillis();
    }

    /** Scores of one window, kept so that late updates of the window carry them too. */
    public static class WindowScores {
        public Map<String, MetricScore> scores;

        public WindowScores() {}

        WindowScores(Map<String, MetricScore> scores) {
            this.scores = scores;
        }
    }

    static final MapStateDescriptor<String, DetectorState> STATE =
            new MapStateDescriptor<>(
                    "detector-state", Types.STRING, TypeInformation.of(DetectorState.class));

    @Override
    public void open(OpenContext openContext) {
        detectorState = getRuntimeContext().getMapState(STATE);
        stateFingerprint =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "detector-state-scale", Types.STRING, Types.STRING));
        recentScores =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "detector-recent-scores",
                                        Types.LONG,
                                        TypeInformation.of(WindowScores.class)));
        lastScoredWindow =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("detector-last-window", Types.LONG));
        specVersionSeen =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("detector-spec-version", Types.LONG));
        cleanupAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("detector-cleanup-at", Types.LONG));
        anomalies = getRuntimeContext().getMetricGroup().counter("anomalousPoints");
        lateUpdates = getRuntimeContext().getMetricGroup().counter("lateUpdatesNotRescored");
        rejections = getRuntimeContext().getMetricGroup().counter("specUpdatesRejected");
    }

    @Override
    public void processElement(
            MetricAggregate row, ReadOnlyContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        ScoredAggregate scored = ScoredAggregate.of(row);
        Long last = lastScoredWindow.value();
        if (row.updateSeq > 0 || (last != null && row.windowStart <= last)) {
            WindowScores kept = recentScores.get(row.windowStart);
            if (kept != null) {
                scored.scores.putAll(kept.scores);
            }
            lateUpdates.inc();
            out.collect(scored);
            return;
        }

        SpecSet active = specs.active(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR));
        Long seen = specVersionSeen.value();
        if (seen == null || seen != active.update().version) {
            dropUnconfigured(active.rowMetrics());
            specVersionSeen.update(active.update().version);
        }
        for (String metric : active.rowMetrics()) {
            Double value = row.value(metric);
            if (value == null) {
                continue;
            }
            DetectorSpec spec = active.resolve(row.app, row.dimension, row.dimensionValue, metric);
            if (spec == null) {
                continue;
            }
            double denominator = row.denominator(metric);
            PointResult r =
                    update(
                            active.detector(spec),
                            spec,
                            metric,
                            row.windowStart,
                            value,
                            denominator);
            scored.scores.put(metric, Scoring.score(r, denominator));
            AnomalySignal signal =
                    Scoring.signal(
                            row.app,
                            row.dimension,
                            row.dimensionValue,
                            row.windowStart,
                            row.windowEnd,
                            metric,
                            spec,
                            r,
                            denominator);
            if (signal != null) {
                if (signal.anomaly) {
                    anomalies.inc();
                }
                ctx.output(SIGNALS, signal);
            }
        }
        lastScoredWindow.update(row.windowStart);
        if (retainScoresMs > 0) {
            recentScores.put(row.windowStart, new WindowScores(scored.scores));
            ctx.timerService().registerEventTimeTimer(row.windowEnd + retainScoresMs);
        }
        Long previousCleanup = cleanupAt.value();
        long cleanup = row.windowEnd + idleTtlMs;
        if (previousCleanup == null || previousCleanup != cleanup) {
            if (previousCleanup != null) {
                ctx.timerService().deleteEventTimeTimer(previousCleanup);
            }
            ctx.timerService().registerEventTimeTimer(cleanup);
            cleanupAt.update(cleanup);
        }
        out.collect(scored);
    }

    private PointResult update(
            Detector detector,
            DetectorSpec spec,
            String metric,
            long timestamp,
            double value,
            double denominator)
            throws Exception {
        String fingerprint = SpecSet.stateFingerprint(spec);
        DetectorState state = detectorState.get(metric);
        if (state == null || !fingerprint.equals(stateFingerprint.get(metric))) {
            state = detector.newState();
            stateFingerprint.put(metric, fingerprint);
        }
        PointResult r = detector.update(state, timestamp, value, denominator);
        detectorState.put(metric, state);
        return r;
    }

    private void dropUnconfigured(List<String> configured) throws Exception {
        Set<String> keep = new HashSet<>(configured);
        List<String> drop = new ArrayList<>();
        for (String m : detectorState.keys()) {
            if (!keep.contains(m)) {
                drop.add(m);
            }
        }
        for (String m : drop) {
            detectorState.remove(m);
            stateFingerprint.remove(m);
        }
    }

    @Override
    public void processBroadcastElement(
            SpecUpdate update, Context ctx, Collector<ScoredAggregate> out) throws Exception {
        SpecRejection rejection =
                specs.offer(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR), update);
        if (rejection != null) {
            rejections.inc();
            ctx.output(REJECTED, rejection);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ScoredAggregate> out)
            throws Exception {
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup == timestamp) {
            detectorState.clear();
            stateFingerprint.clear();
            recentScores.clear();
            lastScoredWindow.clear();
            specVersionSeen.clear();
            cleanupAt.clear();
            return;
        }
        List<Long> expired = new ArrayList<>();
        for (Long windowStart : recentScores.keys()) {
            if (windowStart < timestamp - retainScoresMs) {
                expired.add(windowStart);
            }
        }
        for (Long w : expired) {
            recentScores.remove(w);
        }
    }
}
