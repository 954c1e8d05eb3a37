/**
 * Stage 3, scoring (first of the three detection stages: scoring → {@code patterns} → {@code
 * alerts}). <b>In:</b> metric rows, per-route click activity, the error groups' new sessions per
 * window, detector spec updates (a control stream, reloaded live). <b>Out</b> ({@link
 * io.beaconflow.jobs.detection.DetectionStage.Outputs}): {@link
 * io.beaconflow.jobs.detection.ScoredAggregate}s (rows with expected value, band and score per
 * metric), {@link io.beaconflow.jobs.detection.AnomalySignal}s per series, per segment's share of
 * its app's page views, per error (its newly hit sessions) and per route (rage clicks), refused
 * spec updates.
 *
 * <p>The Flink shells ({@link io.beaconflow.jobs.detection.DetectorFunction}, {@link
 * io.beaconflow.jobs.detection.SegmentShareFunction}, {@link
 * io.beaconflow.jobs.detection.ErrorSurgeFunction}, {@link
 * io.beaconflow.jobs.detection.FrustrationScorer}) hold the state of the plain-Java detectors of
 * the {@code detectors} module. Settings: the {@code detection:} section ({@link
 * io.beaconflow.jobs.detection.DetectionConfig}, which also carries the pattern and alerting knobs
 * because the YAML nests them there) and the spec files in {@code flink-conf/detectors/}. Nothing
 * here refers to patterns or alerts, with one exception: {@link
 * io.beaconflow.jobs.detection.ReleaseWatch}, built by the patterns stage, emits findings but stays
 * here because its state class is named in savepoints ({@code PackageBoundariesTest}).
 */
package io.beaconflow.jobs.detection;
