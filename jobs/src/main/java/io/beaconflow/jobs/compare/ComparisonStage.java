package io.beaconflow.jobs.compare;

import io.beaconflow.jobs.metrics.MetricsConfig;
import io.beaconflow.jobs.model.RumEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Experiments and releases compared by session, the unit an experiment randomizes: the events on
 * their view route, already partitioned by session (no shuffle), summed per session and arm by
 * {@link SessionSummarizer}; the summaries, keyed by app, into {@link ComparisonFunction}. Until
 * 2026-12 the stage read the metric windows and tested page views as if independent, which made A/A
 * splits "significant" far more often than alpha (docs/DISCUSSION.md, "Comparisons judge sessions";
 * the migration of the state is in docs/cluster.md).
 */
public final class ComparisonStage {
    /** New with the per-session input: the old operator's state (per-view sums) is not restored. */
    public static final String UID = "comparisons-by-session";

    private ComparisonStage() {}

    /**
     * @param bySession the events on their view route, keyed by app + session id
     * @param sessionGap {@code sessions.gap}: a session closes after this much event time idle
     */
    public static SingleOutputStreamOperator<Comparison> apply(
            KeyedStream<RumEvent, String> bySession,
            ComparisonsConfig cfg,
            MetricsConfig metrics,
            Duration sessionGap) {
        return bySession
                .process(
                        new SessionSummarizer(metrics, sessionGap, cfg.releases),
                        TypeInformation.of(SessionSummary.class))
                .uid(SessionSummarizer.UID)
                .name("comparisons: sessions per arm")
                .keyBy(new ComparisonFunction.AppKey(), Types.STRING)
                .process(
                        new ComparisonFunction(cfg, metrics.window, metrics.sketchRelativeAccuracy),
                        TypeInformation.of(Comparison.class))
                .uid(UID)
                .name("comparisons: experiments and releases");
    }
}
