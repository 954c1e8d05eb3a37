package io.beaconflow.jobs.detection;

import io.beaconflow.jobs.alerts.Alert;
import io.beaconflow.jobs.alerts.AlertManager;
import io.beaconflow.jobs.alerts.AlertNotifications;
import io.beaconflow.jobs.errors.ErrorGroupsConfig;
import io.beaconflow.jobs.io.webhook.Notification;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.metrics.MetricAggregate;
import io.beaconflow.jobs.metrics.SeriesKey;
import io.beaconflow.jobs.model.EventType;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.patterns.CorrelatedIncidentPattern;
import io.beaconflow.jobs.patterns.Finding;
import io.beaconflow.jobs.patterns.FrustrationBurstPattern;
import io.beaconflow.jobs.patterns.NewErrorAfterReleasePattern;
import io.beaconflow.jobs.patterns.RecoveryPattern;
import io.beaconflow.jobs.patterns.ReleaseRegressionPattern;
import io.beaconflow.jobs.patterns.SustainedAnomalyPattern;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The detection part of the graph:
 *
 * <pre>
 * metric rows ─keyBy series─▶ DetectorFunction ◀─broadcast─ spec updates
 *                               │ scored rows ──▶ (metrics sink), ReleaseWatch, AlertManager
 *                               │ signals
 * clicks ─▶ RageClickDetector ─▶ per-route window ─▶ FrustrationScorer ─▶ rage signals
 * ReleaseWatch ─▶ release-seen findings, canary signals
 * signals ─▶ CEP sustained, recovery; rage signals ─▶ CEP frustration
 * sustained ─▶ CEP correlated; release-seen + sustained ─▶ CEP release regression
 * release-seen + error-group spread ─▶ CEP new error after release
 * findings ─keyBy app─▶ AlertManager ─▶ alerts
 * </pre>
 *
 * <p>The spec control stream must not hold back watermarks: connect it from a source that uses
 * {@link ControlStreamWatermarks} ({@link #specUpdates} does).
 */
public final class DetectionStage {
    private DetectionStage() {}

    /** What the detection stage produces. */
    public static final class Outputs {
        /** Metric rows with expected value, band and score per metric (to the metrics index). */
        public final DataStream<ScoredAggregate> scored;

        /** Every alert version (open, updated, resolved); document id = alert id. */
        public final DataStream<Alert> alerts;

        /** Opened and resolved transitions, for the webhook sink. */
        public final DataStream<Notification> notifications;

        /** Spec updates that were refused, with the reason. */
        public final DataStream<SpecRejection> rejectedSpecs;

        /** Every scored point (for debugging and tests). */
        public final DataStream<AnomalySignal> signals;

        /** Anomalies that did not last (timed-out partial matches of the sustained pattern). */
        public final DataStream<Finding> transientAnomalies;

        /** Rage-click rate per route and window. */
        public final DataStream<RouteActivity> frustration;

        Outputs(
                DataStream<ScoredAggregate> scored,
                DataStream<Alert> alerts,
                DataStream<Notification> notifications,
                DataStream<SpecRejection> rejectedSpecs,
                DataStream<AnomalySignal> signals,
                DataStream<Finding> transientAnomalies,
                DataStream<RouteActivity> frustration) {
            this.scored = scored;
            this.alerts = alerts;
            this.notifications = notifications;
            this.rejectedSpecs = rejectedSpecs;
            this.signals = signals;
            this.transientAnomalies = transientAnomalies;
            this.frustration = frustration;
        }
    }

    /** The series key of a metric row (the same key the metrics stage groups by). */
    public static final class RowKey implements KeySelector<MetricAggregate, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(MetricAggregate row) {
            Dimension d =
                    Dimension.ALL.configName().equals(row.dimension)
                            ? Dimension.ALL
                            : Dimension.fromName(row.dimension);
            return d == null
                    ? row.app + '\u0000' + row.dimension + '\u0000' + row.dimensionValue
                    : SeriesKey.of(row.app, d, row.dimensionValue);
        }
    }

    /**
     * The embedded control stream: the spec file, watched every {@code specs-poll-interval} (0 =
     * read once), with watermarks that never hold the data stream back.
     */
    public static DataStream<SpecUpdate> specUpdates(
            StreamExecutionEnvironment env, DetectionConfig cfg) {
        Path file = Path.of(cfg.specsFile);
        SpecFileSource source =
                cfg.specsPollInterval.isZero()
                        ? SpecFileSource.bounded(file)
                        : SpecFileSource.watching(file, cfg.specsPollInterval);
        return env.fromSource(source, ControlStreamWatermarks.create(), "detector specs")
                .setParallelism(1)
                .uid("source-detector-specs")
                .name("source: detector specs " + file.getFileName());
    }

    public static Outputs apply(
            DataStream<MetricAggregate> metrics,
            DataStream<RumEvent> events,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg) {
        return apply(metrics, events, specUpdates, cfg, null, null);
    }

    /**
     * With the error groups' findings ({@code ErrorGroupTracker.FINDINGS}): spread fingerprints are
     * joined with the releases first seen ({@link NewErrorAfterReleasePattern}) into new-error
     * alerts, and their quiet findings resolve them. Null {@code errorFindings}: no new-error
     * alerts.
     */
    public static Outputs apply(
            DataStream<MetricAggregate> metrics,
            DataStream<RumEvent> events,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg,
            DataStream<Finding> errorFindings,
            ErrorGroupsConfig.NewError newError) {
        return fromActivity(
                metrics, routeActivity(events, cfg), specUpdates, cfg, errorFindings, newError);
    }

    /**
     * Page views and rage-click bursts per route and window: the input of the frustration detector,
     * computed from the events. Split from {@link #apply(DataStream, DataStream, DataStream,
     * DetectionConfig)} so that {@code ./beaconflow evaluate --cache} can record it with the metric
     * rows and replay the detection alone.
     */
    public static SingleOutputStreamOperator<RouteActivity> routeActivity(
            DataStream<RumEvent> events, DetectionConfig cfg) {
        // Frustration: rage clicks -> rate per route and window -> its own detector.
        DataStream<RouteActivity> rage =
                events.filter(RageClickDetector::isClick)
                        .name("detect: clicks")
                        .keyBy(RageClickDetector.key(), Types.STRING)
                        .process(
                                new RageClickDetector(
                                        cfg.frustration.burstClicks, cfg.frustration.burstSpan),
                                TypeInformation.of(RageClick.class))
                        .uid("rage-clicks")
                        .name("detect: rage clicks")
                        .map(RouteActivity::rageClick, TypeInformation.of(RouteActivity.class))
                        .name("detect: rage clicks per route");
        DataStream<RouteActivity> views =
                events.filter(e -> e.type == EventType.PAGE_VIEW && !e.bot && e.route != null)
                        .name("detect: page views")
                        .map(RouteActivity::pageView, TypeInformation.of(RouteActivity.class))
                        .name("detect: page views per route");
        return rage.union(views)
                .keyBy(RouteActivity::key, Types.STRING)
                .window(TumblingEventTimeWindows.of(cfg.window))
                .aggregate(
                        new RouteActivityWindow.Sum(),
                        new RouteActivityWindow.Stamp(),
                        TypeInformation.of(RouteActivity.class),
                        TypeInformation.of(RouteActivity.class),
                        TypeInformation.of(RouteActivity.class))
                .uid("rage-click-windows")
                .name("detect: rage-click rate per route");
    }

    /**
     * Detection from its two computed inputs: the metric rows of the metrics stage and the
     * per-route activity of {@link #routeActivity}. The production graph reaches it through {@link
     * #apply(DataStream, DataStream, DataStream, DetectionConfig)}; evaluate's replay feeds it
     * recorded rows.
     */
    public static Outputs fromActivity(
            DataStream<MetricAggregate> metrics,
            DataStream<RouteActivity> frustration,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg) {
        return fromActivity(metrics, frustration, specUpdates, cfg, null, null);
    }

    /** As above, with the error groups' findings (see {@link #apply}). */
    public static Outputs fromActivity(
            DataStream<MetricAggregate> metrics,
            DataStream<RouteActivity> frustration,
            DataStream<SpecUpdate> specUpdates,
            DetectionConfig cfg,
            DataStream<Finding> errorFindings,
            ErrorGroupsConfig.NewError newError) {
        SpecUpdate initial = SpecUpdate.readFile(Path.of(cfg.specsFile));
        SpecSet.parse(initial); // fail at graph build time, naming file, line, key and fix
        BroadcastStream<SpecUpdate> specs = specUpdates.broadcast(SpecBroadcast.DESCRIPTOR);

        SingleOutputStreamOperator<ScoredAggregate> scored =
                metrics.keyBy(new RowKey(), Types.STRING)
                        .connect(specs)
                        .process(
                                new DetectorFunction(
                                        initial,
                                        cfg.allowedLateness,
                                        cfg.idleStateTtl,
                                        cfg.window,
                                        cfg.zeroFill.isZero() ? 0 : cfg.windows(cfg.zeroFill)),
                                TypeInformation.of(ScoredAggregate.class))
                        .uid("detector")
                        .name("detect: score series");
        DataStream<AnomalySignal> signals = scored.getSideOutput(DetectorFunction.SIGNALS);

        SingleOutputStreamOperator<AnomalySignal> rageSignals =
                frustration
                        .keyBy(RouteActivity::key, Types.STRING)
                        .connect(specs)
                        .process(
                                new FrustrationScorer(initial, cfg.idleStateTtl),
                                TypeInformation.of(AnomalySignal.class))
                        .uid("frustration-detector")
                        .name("detect: score rage-click rate");

        // Releases: first seen, and canary signals for new ones.
        SingleOutputStreamOperator<Finding> releaseSeen =
                scored.filter(ReleaseWatch::relevant)
                        .name("detect: release rows")
                        .keyBy(r -> r.app, Types.STRING)
                        .process(
                                new ReleaseWatch(
                                        cfg.release.watch,
                                        cfg.release.minAppHistory,
                                        cfg.idleStateTtl),
                                TypeInformation.of(Finding.class))
                        .uid("release-watch")
                        .name("detect: release watch");
        DataStream<AnomalySignal> canary = releaseSeen.getSideOutput(ReleaseWatch.CANARY);

        DataStream<AnomalySignal> seriesSignals = signals.union(canary);
        // The sustained pattern matches anomalies only (relaxed contiguity: normal windows in
        // between are skipped), so normal signals would only be buffered and sorted by its
        // operator for nothing; the recovery pattern needs the normals of series that had an
        // anomaly (RecoveryGate). Nearly every scored point is normal: this halves the CPU of
        // the detection part in ./beaconflow bench.
        DataStream<AnomalySignal> anomalies =
                seriesSignals.filter(s -> s.anomaly).name("detect: anomalous points");
        SingleOutputStreamOperator<Finding> sustained =
                SustainedAnomalyPattern.apply(
                        anomalies, cfg.sustained.anomalies, cfg.sustained.windows, cfg.window);
        SingleOutputStreamOperator<Finding> recovered =
                RecoveryPattern.applyGated(
                        seriesSignals.union(rageSignals),
                        cfg.recovery.normalWindows,
                        cfg.window,
                        cfg.idleStateTtl);
        SingleOutputStreamOperator<Finding> frustrated =
                FrustrationBurstPattern.apply(
                        rageSignals,
                        cfg.frustration.minScore,
                        cfg.frustration.anomalies,
                        cfg.frustration.windows,
                        cfg.window);
        SingleOutputStreamOperator<Finding> correlated =
                CorrelatedIncidentPattern.apply(sustained, cfg.correlation.within);
        SingleOutputStreamOperator<Finding> regressions =
                ReleaseRegressionPattern.apply(sustained.union(releaseSeen), cfg.release.watch);

        DataStream<Finding> findings =
                sustained.union(recovered, frustrated, correlated, regressions);
        if (errorFindings != null) {
            DataStream<Finding> spread =
                    errorFindings
                            .filter(f -> Finding.ERROR_SPREAD.equals(f.kind))
                            .name("detect: spread error groups");
            DataStream<Finding> quiet =
                    errorFindings
                            .filter(f -> Finding.RECOVERED.equals(f.kind))
                            .name("detect: quiet error groups");
            SingleOutputStreamOperator<Finding> newErrors =
                    NewErrorAfterReleasePattern.apply(
                            releaseSeen.union(spread), newError.afterRelease, newError.within);
            findings = findings.union(newErrors, quiet);
        }
        SingleOutputStreamOperator<Alert> alerts =
                findings.keyBy(f -> f.app, Types.STRING)
                        .connect(scored.keyBy(r -> r.app, Types.STRING))
                        .process(
                                new AlertManager(cfg.alerting, cfg.window),
                                TypeInformation.of(Alert.class))
                        .uid("alerts")
                        .name("alerts: lifecycle");

        DataStream<Notification> notifications =
                alerts.flatMap(
                                (Alert a, org.apache.flink.util.Collector<Notification> out) -> {
                                    Notification n = AlertNotifications.toNotification(a);
                                    if (n != null) {
                                        out.collect(n);
                                    }
                                },
                                TypeInformation.of(Notification.class))
                        .name("alerts: notifications");

        return new Outputs(
                scored,
                alerts,
                notifications,
                scored.getSideOutput(DetectorFunction.REJECTED),
                signals,
                sustained.getSideOutput(SustainedAnomalyPattern.TRANSIENT),
                frustration);
    }
}
