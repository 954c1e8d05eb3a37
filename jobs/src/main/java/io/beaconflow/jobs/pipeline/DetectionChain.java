package io.beaconflow.jobs.pipeline;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.alerts.AlertStage;
import io.beaconflow.jobs.detection.AnomalySignal;
import io.beaconflow.jobs.detection.DetectionConfig;
import io.beaconflow.jobs.detection.DetectionStage;
import io.beaconflow.jobs.detection.RouteActivity;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.detection.SpecRejection;
import io.beaconflow.jobs.detection.SpecUpdate;
import io.beaconflow.jobs.errors.ErrorGroupsConfig;
import io.beaconflow.jobs.errors.ErrorWindowCount;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.patterns.PatternStage;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The three detection stages in a row, each depending only on the one before: scoring ({@link
 * DetectionStage}: metric rows and route activity → scores) → patterns ({@link PatternStage}:
 * scores → findings) → alerts ({@link AlertStage}: findings → alerts, notifications). The
 * production graph and {@code ./beaconflow evaluate}'s replay both build detection here.
 */
public final class DetectionChain {
    private DetectionChain() {}

    /**
     * What detection produces, for the sinks.
     *
     * @param scored metric rows with expected value, band and score per metric (to the metrics
     *     index)
     * @param alerts every alert version (open, updated, resolved); document id = alert id
     * @param notifications opened and resolved transitions, for the webhook sink
     * @param rejectedSpecs spec updates that were refused, with the reason
     * @param signals every scored point (for debugging and tests)
     * @param transientAnomalies anomalies that did not last (timed-out partial matches of the
     *     sustained pattern)
     * @param frustration rage-click rate per route and window
     */
    public record Outputs(
            DataStream<ScoredAggregate> scored,
            DataStream<Alert> alerts,
            DataStream<Notification> notifications,
            DataStream<SpecRejection> rejectedSpecs,
            DataStream<AnomalySignal> signals,
            DataStream<Finding> transientAnomalies,
            DataStream<RouteActivity> frustration) {
        static Outputs of(
                DetectionStage.Outputs scores,
                PatternStage.Outputs patterns,
                AlertStage.Outputs alerts) {
            return new Outputs(
                    scores.scored(),
                    alerts.alerts(),
                    alerts.notifications(),
                    scores.rejectedSpecs(),
                    scores.signals(),
                    patterns.transientAnomalies(),
                    scores.frustration());
        }
    }

    /**
     * Detection of the production graph. With the error groups' findings ({@code
     * ErrorGroupTracker.FINDINGS}): new-error alerts (see {@link PatternStage#apply(
     * DetectionStage.Outputs, DetectionConfig, DataStream, java.time.Duration,
     * java.time.Duration)}); null {@code errorFindings}: none. With their new sessions per window
     * ({@code ErrorGroupTracker.WINDOW_COUNTS}): error-surge alerts; null {@code errorCounts}:
     * none.
     */
    public static Outputs apply(
            DataStream<MetricAggregate> metrics,
            DataStream<RumEvent> events,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg,
            DataStream<Finding> errorFindings,
            ErrorGroupsConfig.NewError newError,
            DataStream<ErrorWindowCount> errorCounts) {
        return fromActivity(
                metrics,
                DetectionStage.routeActivity(events, cfg),
                specUpdates,
                cfg,
                errorFindings,
                newError,
                errorCounts);
    }

    /**
     * Detection from its two computed inputs: the metric rows of the metrics stage and the
     * per-route activity of {@link DetectionStage#routeActivity}, with the error groups' outputs as
     * in {@link #apply}; evaluate's replay feeds it recorded rows.
     */
    public static Outputs fromActivity(
            DataStream<MetricAggregate> metrics,
            DataStream<RouteActivity> frustration,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg,
            DataStream<Finding> errorFindings,
            ErrorGroupsConfig.NewError newError,
            DataStream<ErrorWindowCount> errorCounts) {
        DetectionStage.Outputs scores =
                DetectionStage.score(metrics, frustration, errorCounts, specUpdates, cfg);
        PatternStage.Outputs patterns =
                errorFindings == null
                        ? PatternStage.apply(scores, cfg)
                        : PatternStage.apply(
                                scores, cfg, errorFindings, newError.afterRelease, newError.within);
        AlertStage.Outputs alerts =
                AlertStage.apply(patterns.findings(), scores.scored(), cfg.alerting, cfg.window);
        return Outputs.of(scores, patterns, alerts);
    }
}
