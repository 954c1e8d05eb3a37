/**
 * Stage 2b, metric aggregates. <b>In:</b> enriched events. <b>Out:</b> one {@link
 * io.beaconflow.jobs.metrics.MetricAggregate} per series (app × dimension value) and window:
 * counts, rates, DDSketch percentiles, Web Vitals shares, Apdex (updated within the allowed
 * lateness). They feed detection, and (scored) the {@code rum-metrics-*} index. Settings: {@code
 * metrics:}. See {@link io.beaconflow.jobs.metrics.MetricStage}.
 */
package io.beaconflow.jobs.metrics;
