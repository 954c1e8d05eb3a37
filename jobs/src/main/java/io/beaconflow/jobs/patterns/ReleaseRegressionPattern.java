package io.beaconflow.jobs.patterns;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * <b>Release regression</b>: a release is first seen on an app, then within T a sustained anomaly
 * on that release's own series (dimension {@code release}, value = the release). A new release has
 * no history, so its series is judged by the release canary ({@code ReleaseWatch}: the release's
 * value against the app-wide band) as well as by its own detector once warm. Becomes a {@link
 * Finding#RELEASE_REGRESSION}: the alert is attributed to the release.
 *
 * <p>Knobs: {@code detection.release.watch} (T, default 60m); {@code
 * detection.release.min-app-history} (releases live when the job starts are not "first seen").
 * Input: release-seen and sustained findings, keyed by app.
 *
 * <p>Known false positives: a release rolled out to a different audience (one country, beta users)
 * whose metrics differ from the app's without a regression.
 */
public final class ReleaseRegressionPattern {
    public static final String UID = "cep-release-regression";

    private ReleaseRegressionPattern() {}

    public static Pattern<Finding, ?> pattern(Duration within) {
        return FindingPatterns.releaseSeen(AfterMatchSkipStrategy.skipPastLastEvent())
                .followedBy("anomaly")
                .where(new OnThatRelease())
                .within(within);
    }

    /** A sustained anomaly on the series of the release that opened the match. */
    static final class OnThatRelease extends FindingPatterns.OnOpeningRelease {
        private static final long serialVersionUID = 1L;

        @Override
        boolean candidate(Finding f) {
            return Finding.SUSTAINED.equals(f.kind) && "release".equals(f.dimension);
        }

        @Override
        boolean onRelease(Finding seen, Finding f) {
            return seen.release.equals(f.dimensionValue);
        }
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<Finding> releaseSeenAndSustained, Duration within) {
        return FindingPatterns.perApp(
                releaseSeenAndSustained,
                pattern(within),
                FindingPatterns.deriving(ReleaseRegressionPattern::regression),
                UID,
                "cep: release regression");
    }

    /** The anomaly of a match, attributed to the release that opened it. */
    static Finding regression(Map<String, List<Finding>> match) {
        Finding anomaly = match.get("anomaly").get(0);
        Finding f = FindingPatterns.onOpeningRelease(Finding.RELEASE_REGRESSION, anomaly, match);
        f.related.add(anomaly.key);
        f.relatedKinds.add(anomaly.metricKind);
        return f;
    }
}
