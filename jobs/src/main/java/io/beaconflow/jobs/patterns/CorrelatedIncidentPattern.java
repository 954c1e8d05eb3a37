package io.beaconflow.jobs.patterns;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * <b>Correlated incident</b>: on one app, a sustained error-rate rise and a sustained throughput
 * drop within T of each other, in either order: users hit errors and leave (or a broken release
 * both errors and stops pages from loading). Becomes one {@link Finding#CORRELATED}; the alert
 * operator turns the two would-be alerts into one critical incident (the first one is upgraded, the
 * second never opens on its own).
 *
 * <p>Knob: {@code detection.correlation.within} (T, default 5m). Input: sustained findings, keyed
 * by app.
 *
 * <p>Known false positives: two unrelated problems on one app within T (an error spike on one route
 * while a marketing campaign ends); the alert still shows both series, and T small keeps this rare.
 */
public final class CorrelatedIncidentPattern {
    public static final String UID = "cep-correlated";

    private CorrelatedIncidentPattern() {}

    public static Pattern<Finding, ?> pattern(Duration within) {
        return Pattern.<Finding>begin("first", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(f -> f.isErrorUp() || f.isThroughputDown()))
                .followedBy("second")
                .where(new Complement())
                .within(within);
    }

    /** The second finding is of the other kind than the first. */
    static final class Complement extends IterativeCondition<Finding> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Finding f, Context<Finding> ctx) throws Exception {
            for (Finding first : ctx.getEventsForPattern("first")) {
                return first.isErrorUp() ? f.isThroughputDown() : f.isErrorUp();
            }
            return false;
        }
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<Finding> sustained, Duration within) {
        return FindingPatterns.perApp(
                sustained,
                pattern(within),
                FindingPatterns.deriving(CorrelatedIncidentPattern::incident),
                UID,
                "cep: correlated incident (errors up + throughput down)");
    }

    /** One incident of both findings, from the earlier start, at the higher score. */
    static Finding incident(Map<String, List<Finding>> match) {
        Finding first = match.get("first").get(0);
        Finding second = match.get("second").get(0);
        Finding f = Finding.derived(Finding.CORRELATED, second);
        f.firstWindowStart = Math.min(first.firstWindowStart, second.firstWindowStart);
        f.score = Math.max(first.score, second.score);
        f.related.add(first.key);
        f.related.add(second.key);
        f.relatedKinds.add(first.metricKind);
        f.relatedKinds.add(second.metricKind);
        return f;
    }
}
