/**
 * Judging detection against the generator's ground truth, for {@code ./beaconflow demo} and {@code
 * evaluate}; not part of the job. <b>In:</b> alert versions and the injected incidents ({@code
 * generator.IncidentTruth}), or the NDJSON files of a demo run. <b>Out:</b> the incident table and
 * summary ({@link io.beaconflow.jobs.evaluation.DemoSummary}, {@link
 * io.beaconflow.jobs.evaluation.DemoReport}), the recall / delay / false-alert figures ({@link
 * io.beaconflow.jobs.evaluation.Evaluation}), and the recordings that let evaluate replay detection
 * alone ({@link io.beaconflow.jobs.evaluation.DetectionRecording}). The matching rules are {@link
 * io.beaconflow.jobs.evaluation.IncidentMatcher}.
 */
package io.beaconflow.jobs.evaluation;
