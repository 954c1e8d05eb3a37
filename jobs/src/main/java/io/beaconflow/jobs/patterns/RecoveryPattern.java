package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * <b>Recovery</b>: K consecutive normal windows on one series and metric (no anomalous window in
 * between). Becomes a {@link Finding#RECOVERED}; the alert operator resolves an alert once every
 * series in it has recovered after its last anomaly, and ignores recoveries of series with no open
 * alert.
 *
 * <p>Knob: {@code detection.recovery.normal-windows} (K, default 3). The K normal windows must fall
 * within 2K windows of event time: a series that reports only now and then does not recover on
 * stale points (its alert resolves by {@code detection.alerting.stale-after} instead).
 *
 * <p>Known false resolutions: a flapping series (anomalous every fourth window with K=3) resolves
 * and re-opens; the alert cooldown absorbs the re-open.
 */
public final class RecoveryPattern {
    public static final String UID = "cep-recovery";

    private RecoveryPattern() {}

    public static Pattern<AnomalySignal, ?> pattern(int normalWindows, Duration window) {
        return Pattern.<AnomalySignal>begin("normal", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(s -> !s.anomaly))
                .times(normalWindows)
                .consecutive()
                .within(window.multipliedBy(2L * normalWindows));
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<AnomalySignal> signals, int normalWindows, Duration window) {
        return apply(signals.keyBy(AnomalySignal::patternKey, Types.STRING), normalWindows, window);
    }

    /**
     * Behind a {@link RecoveryGate} that forgets a series {@code forgetAfter} after its last
     * anomaly: the same recoveries for every series that can be an alert's member, without matching
     * the normal windows of all the others. The gate and the pattern share the key, so there is no
     * shuffle between them.
     */
    public static SingleOutputStreamOperator<Finding> applyGated(
            DataStream<AnomalySignal> signals,
            int normalWindows,
            Duration window,
            Duration forgetAfter) {
        SingleOutputStreamOperator<AnomalySignal> gated =
                signals.keyBy(AnomalySignal::patternKey, Types.STRING)
                        .process(
                                new RecoveryGate(forgetAfter),
                                TypeInformation.of(AnomalySignal.class))
                        .uid(RecoveryGate.UID)
                        .name("cep: recovery gate (series with an anomaly)");
        return apply(
                DataStreamUtils.reinterpretAsKeyedStream(
                        gated, AnomalySignal::patternKey, Types.STRING),
                normalWindows,
                window);
    }

    private static SingleOutputStreamOperator<Finding> apply(
            KeyedStream<AnomalySignal, String> signals, int normalWindows, Duration window) {
        return FindingPatterns.perSeries(
                signals,
                pattern(normalWindows, window),
                FindingPatterns.<AnomalySignal>deriving(
                        match -> Finding.ofSignals(Finding.RECOVERED, match.get("normal"))),
                UID,
                "cep: recovery (" + normalWindows + " normal windows)");
    }
}
