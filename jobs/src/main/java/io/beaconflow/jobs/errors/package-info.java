/**
 * Stage 2c, error groups. <b>In:</b> enriched JS error events. <b>Out:</b> {@link
 * io.beaconflow.jobs.errors.ErrorGroup} versions per (app, fingerprint) for the {@code
 * rum-error-groups} index, and, as a side output, spread and quiet findings ({@code
 * patterns.Finding}) that the patterns stage turns into new-error alerts. Settings: {@code
 * errors:}. See {@link io.beaconflow.jobs.errors.ErrorGroupStage}.
 */
package io.beaconflow.jobs.errors;
