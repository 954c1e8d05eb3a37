package io.beaconflow.jobs.patterns;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The CEP operator of the second-level patterns, those over findings (release regression, new error
 * after release, correlated incident): matched per app in event time, ties ordered by {@link
 * FindingTieOrder} so a replay matches the same findings, and the pattern's stable uid and name.
 */
final class FindingPatterns {
    private FindingPatterns() {}

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
}
