package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * <b>Frustration burst</b>: the rage-click rate of a route (rage-click bursts per page view, scored
 * against its own baseline by {@code FrustrationScorer}) far above normal in N of M windows. "Far
 * above" = the detector's score at least {@code min-score} (0.67 = |z| twice the threshold), on top
 * of the spec's own gates. Becomes a {@link Finding#FRUSTRATION}.
 *
 * <p>Knobs: {@code detection.frustration.min-score}, {@code .anomalies} (N, 2), {@code .windows}
 * (M, 3); the detector spec of metric {@code rage_click_rate}; what counts as a rage click: {@code
 * .burst-clicks} within {@code .burst-span}.
 *
 * <p>Known false positives: a UI that invites fast repeated clicks (a carousel, a counter) on a
 * route whose traffic just grew from a new audience; a game-like page.
 */
public final class FrustrationBurstPattern {
    public static final String UID = "cep-frustration";

    private FrustrationBurstPattern() {}

    public static Pattern<AnomalySignal, ?> pattern(
            double minScore, int anomalies, int windows, Duration window) {
        return Pattern.<AnomalySignal>begin("high", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(s -> s.anomaly && s.score >= minScore))
                .times(anomalies)
                .within(window.multipliedBy(windows));
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<AnomalySignal> rageSignals,
            double minScore,
            int anomalies,
            int windows,
            Duration window) {
        return FindingPatterns.perSeries(
                rageSignals.keyBy(AnomalySignal::patternKey, Types.STRING),
                pattern(minScore, anomalies, windows, window),
                FindingPatterns.<AnomalySignal>deriving(
                        match -> Finding.ofSignals(Finding.FRUSTRATION, match.get("high"))),
                UID,
                "cep: frustration burst");
    }
}
