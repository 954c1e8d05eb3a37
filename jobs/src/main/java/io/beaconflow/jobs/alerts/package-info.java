/**
 * Stage 5, alerts. <b>In:</b> the patterns' findings and the scored rows (for root-cause hints),
 * both keyed by app. <b>Out</b> ({@link io.beaconflow.jobs.alerts.AlertStage.Outputs}): every
 * {@link io.beaconflow.jobs.alerts.Alert} version (open, updated, resolved; id = alert id) for the
 * {@code rum-alerts} index, and webhook notifications for the open and resolve transitions.
 *
 * <p>{@link io.beaconflow.jobs.alerts.AlertLifecycle} is the plain-Java core; {@link
 * io.beaconflow.jobs.alerts.AlertManager} the Flink shell. Settings: {@code detection.alerting}.
 */
package io.beaconflow.jobs.alerts;
