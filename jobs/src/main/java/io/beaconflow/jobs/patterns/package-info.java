/**
 * Stage 4, patterns (CEP). <b>In:</b> the scoring stage's outputs (signals, rage signals, scored
 * rows for the release watch) and the error groups' findings. <b>Out</b> ({@link
 * io.beaconflow.jobs.patterns.PatternStage.Outputs}): {@link io.beaconflow.jobs.patterns.Finding}s
 * (sustained anomaly, recovery, frustration burst, correlated incident, release regression, new
 * error after release), and transient anomalies. Knobs: {@code detection.sustained}, {@code
 * recovery}, {@code correlation}, {@code release}, {@code frustration}; {@code errors.new-error}.
 *
 * <p>A new pattern: a class like {@link io.beaconflow.jobs.patterns.SustainedAnomalyPattern} (the
 * CEP pattern, and an {@code apply} that sets a fixed {@code UID}), wired in {@link
 * io.beaconflow.jobs.patterns.PatternStage}, its finding kind handled by {@code
 * alerts.FindingKind}.
 */
package io.beaconflow.jobs.patterns;
