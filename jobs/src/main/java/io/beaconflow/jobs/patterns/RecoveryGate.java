package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import io.beaconflow.jobs.state.KeyedStates;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * What reaches the {@link RecoveryPattern}: every anomalous signal, and the normal signals of a
 * series (pattern key) only from its first anomaly on. Keyed by {@link AnomalySignal#patternKey()}.
 *
 * <p><b>Why.</b> The detectors score every series every window and nearly all of those points are
 * normal. Fed to the recovery CEP, they made it match K normal windows on every series, all day,
 * and send each match to the alert operator, which drops recoveries of series that are no open
 * alert's member. A series becomes a member only through its anomalies, so the normals before its
 * first anomaly can change no alert: the pattern's matches after an anomaly start after it (the
 * pattern is {@code consecutive()}: an anomaly ends every partial match). Measured with {@code
 * ./beaconflow bench}: the CEP operators took ~15 % of the pipeline's CPU before this gate (see
 * docs/benchmarks.md).
 *
 * <p><b>Bounded.</b> Per series the event time of its last anomaly and one event-time timer; both
 * are dropped once the watermark is {@code forgetAfter} past the last anomaly (the job passes
 * {@code detection.idle-state-ttl}, the bound after which detector state is dropped too). A series
 * with an open alert that reports K normal windows resolves long before that; one that stops
 * reporting resolves by {@code detection.alerting.stale-after}.
 *
 * <p><b>Known difference to feeding everything</b>: the gate decides in arrival order. An anomaly
 * that arrives after later normals of the same series (only a late update of an older window,
 * accepted because the pattern operator's watermark lags) finds those normals gone; its recovery
 * then comes from the next K normals.
 *
 * <p>Metric: {@code normalSignalsSkipped}.
 */
public class RecoveryGate extends KeyedProcessFunction<String, AnomalySignal, AnomalySignal> {
    private static final long serialVersionUID = 1L;

    public static final String UID = "cep-recovery-gate";

    private final long forgetAfterMs;
    private transient ValueState<Long> lastAnomaly;
    private transient Counter skipped;

    public RecoveryGate(Duration forgetAfter) {
        if (forgetAfter.isNegative() || forgetAfter.isZero()) {
            throw new IllegalArgumentException("forgetAfter must be positive: " + forgetAfter);
        }
        this.forgetAfterMs = forgetAfter.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        var runtime = getRuntimeContext();
        lastAnomaly = KeyedStates.value(runtime, "last-anomaly", Long.class);
        skipped = runtime.getMetricGroup().counter("normalSignalsSkipped");
    }

    @Override
    public void processElement(AnomalySignal s, Context ctx, Collector<AnomalySignal> out)
            throws Exception {
        Long last = lastAnomaly.value();
        if (s.anomaly) {
            long t = ctx.timestamp() == null ? s.windowEnd : ctx.timestamp();
            if (last == null) {
                ctx.timerService().registerEventTimeTimer(t + forgetAfterMs);
                lastAnomaly.update(t);
            } else if (t > last) {
                lastAnomaly.update(t); // the timer re-arms itself when it fires
            }
            out.collect(s);
        } else if (last != null) {
            out.collect(s);
        } else {
            skipped.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AnomalySignal> out)
            throws Exception {
        Long last = lastAnomaly.value();
        if (last == null) return;
        if (last + forgetAfterMs <= timestamp) {
            lastAnomaly.clear();
        } else {
            ctx.timerService().registerEventTimeTimer(last + forgetAfterMs);
        }
    }
}
