package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * <b>Sustained anomaly</b>: N anomalous windows within M consecutive windows on one series and
 * metric. One anomalous window is weather; N of M is an incident. Each match (events after a match
 * start the next one) becomes a {@link Finding#SUSTAINED}: the first opens an alert, later ones
 * update it. Anomalies that never reach N within M time out into {@link #TRANSIENT} (counted, not
 * alerted).
 *
 * <p>Knobs: {@code detection.sustained.anomalies} (N, default 2), {@code
 * detection.sustained.windows} (M, default 3). N=2 opens an alert at the end of the second
 * anomalous window: two windows after onset for a clean step.
 *
 * <p>Known false positives: a series whose detector fires on two windows in a row by chance (z
 * threshold too low for its noise); a level shift that the baseline has not relearned yet (the
 * detector's {@code relearn_after} bounds it).
 *
 * <p>Event time: the CEP operator buffers signals until the watermark passes them, so out-of-order
 * signals are matched in timestamp order; the {@code within} clock is event time too.
 */
public final class SustainedAnomalyPattern {
    public static final String UID = "cep-sustained";

    public static final OutputTag<Finding> TRANSIENT =
            new OutputTag<>("transient-anomalies", TypeInformation.of(Finding.class));

    private SustainedAnomalyPattern() {}

    public static Pattern<AnomalySignal, ?> pattern(int anomalies, int windows, Duration window) {
        return Pattern.<AnomalySignal>begin("anomalies", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(s -> s.anomaly))
                .times(anomalies)
                .within(window.multipliedBy(windows));
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<AnomalySignal> signals, int anomalies, int windows, Duration window) {
        return FindingPatterns.perSeries(
                signals.keyBy(AnomalySignal::patternKey, Types.STRING),
                pattern(anomalies, windows, window),
                new Matches(),
                UID,
                "cep: sustained anomaly (" + anomalies + " of " + windows + " windows)");
    }

    static final class Matches extends PatternProcessFunction<AnomalySignal, Finding>
            implements TimedOutPartialMatchHandler<AnomalySignal> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processMatch(
                Map<String, List<AnomalySignal>> match, Context ctx, Collector<Finding> out) {
            out.collect(Finding.ofSignals(Finding.SUSTAINED, match.get("anomalies")));
        }

        @Override
        public void processTimedOutMatch(Map<String, List<AnomalySignal>> match, Context ctx) {
            List<AnomalySignal> partial = match.get("anomalies");
            if (partial != null && !partial.isEmpty()) {
                ctx.output(TRANSIENT, Finding.ofSignals(Finding.TRANSIENT, partial));
            }
        }
    }
}
