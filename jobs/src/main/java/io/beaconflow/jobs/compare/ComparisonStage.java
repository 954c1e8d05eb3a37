package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricsConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Experiments and releases compared by session, the unit an experiment randomizes: one {@link
 * SessionSummary} per closed session and arm, from the session assembler (its side output
 * sessions.SessionAssembler#SUMMARIES, counted by sessions.SessionArms), keyed by app into {@link
 * ComparisonFunction}. Until 2026-12 the stage read the metric windows and tested page views as if
 * independent, which made A/A splits "significant" far more often than alpha (docs/DISCUSSION.md,
 * "Comparisons judge sessions"); then, until 2026-12-03, a second per-event keyed operator (uid
 * {@link #DROPPED_SESSIONS_UID}) kept every session again for the summaries (the migration of the
 * state is in docs/cluster.md).
 */
public final class ComparisonStage {
    /** New with the per-session input: the old operator's state (per-view sums) is not restored. */
    public static final String UID = "comparisons-by-session";

    /**
     * The uid of the removed per-event summarizer: savepoints taken before 2026-12-03 hold its
     * state, which a restore must be allowed to skip ({@code --allowNonRestoredState}).
     */
    public static final String DROPPED_SESSIONS_UID = "comparisons-sessions";

    private ComparisonStage() {}

    /**
     * @param summaries one per closed session and arm, stamped with the session's close
     */
    public static SingleOutputStreamOperator<Comparison> apply(
            DataStream<SessionSummary> summaries, ComparisonsConfig cfg, MetricsConfig metrics) {
        return summaries
                .keyBy(new ComparisonFunction.AppKey(), Types.STRING)
                .process(
                        new ComparisonFunction(cfg, metrics.window, metrics.sketchRelativeAccuracy),
                        TypeInformation.of(Comparison.class))
                .uid(UID)
                .name("comparisons: experiments and releases");
    }
}
