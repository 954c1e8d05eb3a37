package io.beaconflow.jobs.detection;

import io.beaconflow.detectors.Detector;
import io.beaconflow.detectors.DetectorSpec;
import io.beaconflow.detectors.DetectorState;
import io.beaconflow.detectors.Direction;
import io.beaconflow.detectors.MetricKind;
import io.beaconflow.detectors.PointResult;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Scores the rage-click rate of each route per window against the route's own baseline, with the
 * spec of metric {@code rage_click_rate} from the detector specs (hot-reloaded like the others), or
 * {@link #DEFAULT_SPEC} when the spec file does not configure that metric. Emits one {@link
 * AnomalySignal} per window (metric kind {@code frustration}) for the frustration and recovery
 * patterns. Keyed by app and route; idle routes are cleared after {@code idleTtl}.
 */
public class FrustrationScorer
        extends KeyedBroadcastProcessFunction<String, RouteActivity, SpecUpdate, AnomalySignal> {
    private static final long serialVersionUID = 1L;

    public static final String METRIC_KIND = "frustration";

    /**
     * Used when the spec file has no {@code rage_click_rate}: a proportion (bursts per view), only
     * increases alert, at least 50 views in the window, at least 2 points more and double the
     * expected rate, 30 windows of history first.
     */
    public static final DetectorSpec DEFAULT_SPEC =
            DetectorSpec.builder()
                    .kind(MetricKind.ERROR_RATE)
                    .direction(Direction.UP)
                    .zThreshold(4)
                    .minVolume(50)
                    .minAbsChange(0.02)
                    .minRelChange(1.0)
                    .alpha(0.05)
                    .minPoints(30)
                    .anomalyWeight(0)
                    .relearnAfter(60)
                    .build();

    private final SpecBroadcast specs;
    private final long idleTtlMs;
    private transient Detector defaultDetector;
    private transient ValueState<DetectorState> state;
    private transient ValueState<String> fingerprint;
    private transient ValueState<Long> cleanupAt;

    public FrustrationScorer(SpecUpdate initial, Duration idleTtl) {
        this.specs = new SpecBroadcast(initial);
        this.idleTtlMs = idleTtl.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        defaultDetector = new Detector(DEFAULT_SPEC);
        state = KeyedStates.value(runtime, "frustration-detector-state", DetectorState.class);
        fingerprint = KeyedStates.value(runtime, "frustration-scale", String.class);
        cleanupAt = KeyedStates.value(runtime, "frustration-cleanup", Long.class);
    }

    @Override
    public void processElement(RouteActivity row, ReadOnlyContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        Double rate = row.rate();
        if (rate != null) {
            SpecSet active = specs.active(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR));
            DetectorSpec spec =
                    active.resolve(row.app, "route", row.route, SpecSet.RAGE_CLICK_RATE);
            Detector detector = spec == null ? defaultDetector : active.detector(spec);
            spec = detector.spec();
            String fp = SpecSet.stateFingerprint(spec);
            DetectorState s = state.value();
            if (s == null || !fp.equals(fingerprint.value())) {
                s = detector.newState();
                fingerprint.update(fp);
            }
            PointResult r = detector.update(s, row.windowStart, rate, row.pageViews);
            state.update(s);
            AnomalySignal signal =
                    Scoring.signal(
                            AnomalySignal.seriesName(row.app, "route", row.route),
                            row.app,
                            "route",
                            row.route,
                            row.windowStart,
                            row.windowEnd,
                            SpecSet.RAGE_CLICK_RATE,
                            spec,
                            r,
                            row.pageViews);
            if (signal != null) {
                signal.metricKind = METRIC_KIND;
                out.collect(signal);
            }
        }
        Long previous = cleanupAt.value();
        long cleanup = row.windowEnd + idleTtlMs;
        if (previous == null || previous != cleanup) {
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous);
            }
            ctx.timerService().registerEventTimeTimer(cleanup);
            cleanupAt.update(cleanup);
        }
    }

    @Override
    public void processBroadcastElement(
            SpecUpdate update, Context ctx, Collector<AnomalySignal> out) throws Exception {
        // The detector operator reports rejections; here the update is only applied or not.
        specs.offer(ctx.getBroadcastState(SpecBroadcast.DESCRIPTOR), update);
    }

    @Override
    public void onTimer(long ts, OnTimerContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        Long cleanup = cleanupAt.value();
        if (cleanup != null && cleanup == ts) {
            state.clear();
            fingerprint.clear();
            cleanupAt.clear();
        }
    }
}
