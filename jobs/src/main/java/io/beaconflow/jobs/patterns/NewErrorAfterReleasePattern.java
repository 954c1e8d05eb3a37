package io.beaconflow.jobs.patterns;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * <b>New error after a release</b>: a release is first seen on an app ({@code ReleaseWatch}), then
 * an error fingerprint whose first occurrence came on that release, no earlier than the release's
 * first window and within {@code errors.new-error.after-release} of it, reaches {@code
 * errors.new-error.min-sessions} sessions within {@code errors.new-error.within} ({@code
 * ErrorGroupTracker}'s {@link Finding#ERROR_SPREAD}). Becomes a {@link Finding#NEW_ERROR} naming
 * fingerprint, release and sessions.
 *
 * <p>Why CEP and not the error-group operator alone: that operator is keyed by fingerprint and
 * knows nothing of rollouts, which {@code ReleaseWatch} (keyed by app, fed by the metric rows)
 * decides. Joining the two in event-time order with a bounded {@code within}, keyed by app, is what
 * CEP does, as in the release-regression pattern. {@code followedByAny} and no skip: one release
 * can bring several new errors, each its own match.
 *
 * <p>Known false positives: an old error so rare that the error-group state forgot it ({@code
 * errors.idle-ttl}) looks new when it comes back on a new release; releases live when the job
 * starts are never "first seen", so errors of them never alert here.
 */
public final class NewErrorAfterReleasePattern {
    public static final String UID = "cep-new-error-after-release";

    private NewErrorAfterReleasePattern() {}

    /** {@code afterRelease + spreadWithin}: the spread finding can come that long after. */
    public static Pattern<Finding, ?> pattern(Duration afterRelease, Duration spreadWithin) {
        return FindingPatterns.releaseSeen(AfterMatchSkipStrategy.noSkip())
                .followedByAny("error")
                .where(new FirstSeenOnThatRelease(afterRelease.toMillis()))
                .within(afterRelease.plus(spreadWithin));
    }

    /** A spread fingerprint first seen on the match's release, after its rollout. */
    static final class FirstSeenOnThatRelease extends FindingPatterns.OnOpeningRelease {
        private static final long serialVersionUID = 1L;
        private final long afterReleaseMs;

        FirstSeenOnThatRelease(long afterReleaseMs) {
            this.afterReleaseMs = afterReleaseMs;
        }

        @Override
        boolean candidate(Finding f) {
            return Finding.ERROR_SPREAD.equals(f.kind) && f.release != null;
        }

        @Override
        boolean onRelease(Finding seen, Finding f) {
            return seen.release.equals(f.release)
                    && f.firstWindowStart >= seen.firstWindowStart
                    && f.firstWindowStart < seen.firstWindowStart + afterReleaseMs;
        }
    }

    public static SingleOutputStreamOperator<Finding> apply(
            DataStream<Finding> releaseSeenAndSpread, Duration afterRelease, Duration within) {
        return FindingPatterns.perApp(
                releaseSeenAndSpread,
                pattern(afterRelease, within),
                FindingPatterns.deriving(NewErrorAfterReleasePattern::newError),
                UID,
                "cep: new error after release");
    }

    /** The spread error of a match, attributed to the release that opened it. */
    static Finding newError(Map<String, List<Finding>> match) {
        Finding spread = match.get("error").get(0);
        Finding f = FindingPatterns.onOpeningRelease(Finding.NEW_ERROR, spread, match);
        f.related.addAll(spread.related);
        f.related.add(match.get(FindingPatterns.RELEASE).get(0).series);
        return f;
    }
}
