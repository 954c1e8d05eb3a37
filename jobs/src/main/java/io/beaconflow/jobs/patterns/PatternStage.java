package io.beaconflow.jobs.patterns;

import io.beaconflow.jobs.detection.AnomalySignal;
import io.beaconflow.jobs.detection.DetectionConfig;
import io.beaconflow.jobs.detection.DetectionStage;
import io.beaconflow.jobs.detection.ReleaseWatch;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Patterns, the second detection stage: the scores of {@link DetectionStage} (and the error groups'
 * findings) become findings, the alert stage's input:
 *
 * <pre>
 * scored rows ─▶ ReleaseWatch ─▶ release-seen findings, canary signals
 * series + canary signals ─▶ CEP sustained ─▶ CEP correlated
 *                          └▶ CEP recovery ◀── rage signals ─▶ CEP frustration
 * release-seen + sustained ─▶ CEP release regression
 * release-seen + spread error groups ─▶ CEP new error after release; quiet error groups
 * </pre>
 *
 * <p>{@link ReleaseWatch} is built here but lives in {@code detection}: its keyed state holds
 * {@code detection.ReleaseWatch.Rows}, and a savepoint names that class, so it cannot move.
 */
public final class PatternStage {
    private PatternStage() {}

    /**
     * What the patterns produce.
     *
     * @param findings every finding of every pattern, in no particular order (the alert stage
     *     orders them).
     * @param transientAnomalies anomalies that did not last (timed-out partial matches of the
     *     sustained pattern).
     */
    public record Outputs(DataStream<Finding> findings, DataStream<Finding> transientAnomalies) {}

    public static Outputs apply(DetectionStage.Outputs scores, DetectionConfig cfg) {
        return apply(scores, cfg, null, null, null);
    }

    /**
     * With the error groups' findings ({@code ErrorGroupTracker.FINDINGS}): spread fingerprints are
     * joined with the releases first seen ({@link NewErrorAfterReleasePattern}) into new-error
     * findings, and their quiet findings pass through to resolve them. Null {@code errorFindings}:
     * no new-error findings; {@code afterRelease} and {@code within} are {@code
     * errors.new-error.after-release} and {@code errors.new-error.within}.
     */
    public static Outputs apply(
            DetectionStage.Outputs scores,
            DetectionConfig cfg,
            DataStream<Finding> errorFindings,
            Duration afterRelease,
            Duration within) {
        // Releases: first seen, and canary signals for new ones.
        SingleOutputStreamOperator<Finding> releaseSeen =
                scores.scored()
                        .filter(ReleaseWatch::relevant)
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

        DataStream<AnomalySignal> seriesSignals = scores.signals().union(canary);
        // The sustained pattern matches anomalies only (relaxed contiguity: normal windows in
        // between are skipped), so normal signals would only be buffered and sorted by its
        // operator for nothing; the recovery pattern needs the normals of series that had an
        // anomaly (RecoveryGate). Nearly every scored point is normal (docs/benchmarks.md).
        DataStream<AnomalySignal> anomalies =
                scores.anomalies().union(DetectionStage.anomalous(canary));
        SingleOutputStreamOperator<Finding> sustained =
                SustainedAnomalyPattern.apply(
                        anomalies, cfg.sustained.anomalies, cfg.sustained.windows, cfg.window);
        SingleOutputStreamOperator<Finding> recovered =
                RecoveryPattern.applyGated(
                        seriesSignals.union(scores.rageSignals()),
                        cfg.recovery.normalWindows,
                        cfg.window,
                        cfg.idleStateTtl);
        SingleOutputStreamOperator<Finding> frustrated =
                FrustrationBurstPattern.apply(
                        scores.rageSignals(),
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
                            releaseSeen.union(spread), afterRelease, within);
            findings = findings.union(newErrors, quiet);
        }
        return new Outputs(findings, sustained.getSideOutput(SustainedAnomalyPattern.TRANSIENT));
    }
}
