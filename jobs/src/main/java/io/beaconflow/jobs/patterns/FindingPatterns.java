package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The CEP operators of the patterns: the first-level ones over one series' anomaly signals
 * (sustained anomaly, frustration burst, recovery) and the second-level ones over findings (release
 * regression, new error after release, correlated incident), matched per app with ties ordered by
 * {@link FindingTieOrder} so a replay matches the same findings. Both match in event time and carry
 * the pattern's stable uid and name.
 */
final class FindingPatterns {
    private FindingPatterns() {}

    static SingleOutputStreamOperator<Finding> perSeries(
            KeyedStream<AnomalySignal, String> signals,
            Pattern<AnomalySignal, ?> pattern,
            PatternProcessFunction<AnomalySignal, Finding> matches,
            String uid,
            String name) {
        return CEP.pattern(signals, pattern)
                .inEventTime()
                .process(matches, TypeInformation.of(Finding.class))
                .uid(uid)
                .name(name);
    }

    static SingleOutputStreamOperator<Finding> perApp(
            DataStream<Finding> findings,
            Pattern<Finding, ?> pattern,
            PatternProcessFunction<Finding, Finding> matches,
            String uid,
            String name) {
        return CEP.pattern(findings.keyBy(f -> f.app, Types.STRING), pattern, new FindingTieOrder())
                .inEventTime()
                .process(matches, TypeInformation.of(Finding.class))
                .uid(uid)
                .name(name);
    }

    /** Name of the first step of the release patterns, the release-seen finding. */
    static final String RELEASE = "release";

    /**
     * The first step of the release patterns (release regression, new error after release): a
     * release first seen on the app ({@code ReleaseWatch}'s {@link Finding#RELEASE_SEEN}).
     */
    static Pattern<Finding, Finding> releaseSeen(AfterMatchSkipStrategy skip) {
        return Pattern.<Finding>begin(RELEASE, skip)
                .where(SimpleCondition.of(f -> Finding.RELEASE_SEEN.equals(f.kind)));
    }

    /**
     * A later step of a release pattern: a finding of the pattern's kind ({@link #candidate}) that
     * belongs to the release which opened the match ({@link #onRelease}). The release is looked up
     * in the match so far, so both patterns judge "that release" the same way.
     */
    abstract static class OnOpeningRelease extends IterativeCondition<Finding> {
        private static final long serialVersionUID = 1L;

        /** Whether {@code f} is the kind of finding this step takes, whatever its release. */
        abstract boolean candidate(Finding f);

        /** Whether {@code f} belongs to {@code seen}, the release-seen finding of the match. */
        abstract boolean onRelease(Finding seen, Finding f);

        @Override
        public final boolean filter(Finding f, Context<Finding> ctx) throws Exception {
            if (!candidate(f)) {
                return false;
            }
            for (Finding seen : ctx.getEventsForPattern(RELEASE)) {
                return onRelease(seen, f);
            }
            return false;
        }
    }

    /** The one finding a pattern makes of a match. */
    @FunctionalInterface
    interface Derive<IN> extends Serializable {
        Finding of(Map<String, List<IN>> match);
    }

    /**
     * The match function of a pattern that emits one finding a match: the patterns differ only in
     * how they derive it, so each states just that ({@link Derive}) and shares the Flink shell.
     */
    static <IN> PatternProcessFunction<IN, Finding> deriving(Derive<IN> derive) {
        return new Deriving<>(derive);
    }

    private static final class Deriving<IN> extends PatternProcessFunction<IN, Finding> {
        private static final long serialVersionUID = 1L;
        private final Derive<IN> derive;

        Deriving(Derive<IN> derive) {
            this.derive = derive;
        }

        @Override
        public void processMatch(Map<String, List<IN>> match, Context ctx, Collector<Finding> out) {
            out.collect(derive.of(match));
        }
    }

    /**
     * A finding of {@code kind} derived from {@code from}, attributed to the release whose
     * release-seen finding opened {@code match}.
     */
    static Finding onOpeningRelease(String kind, Finding from, Map<String, List<Finding>> match) {
        Finding f = Finding.derived(kind, from);
        f.release = match.get(RELEASE).get(0).release;
        return f;
    }
}
