/**
 * Stage 1, ingest. <b>In:</b> {@code IngestRecord}s from a source (Kafka in production, the
 * generator in the demo), decoded inside the source by {@link
 * io.beaconflow.jobs.ingest.BeaconDecoder} with trusted arrival time, clock-skew correction and
 * watermarks per partition. <b>Out</b> ({@link io.beaconflow.jobs.ingest.IngestStage.Outputs}):
 * accepted, deduplicated, enriched and scrubbed {@code RumEvent}s in event time (also as a stream
 * keyed by session); dead letters with a reason; late events.
 *
 * <p>Order: {@link io.beaconflow.jobs.ingest.IngestRouter} (dead letters, late events) → {@link
 * io.beaconflow.jobs.ingest.Deduplicator} → {@code enrich.Enricher}. Settings: {@code ingest:} in
 * {@code beaconflow.yaml} ({@code config.IngestConfig}). {@link
 * io.beaconflow.jobs.ingest.ProcessingErrors} turns a later stage's failure on one event into a
 * dead letter, for every stage.
 */
package io.beaconflow.jobs.ingest;
