/**
 * The enrichment step of ingest. <b>In:</b> deduplicated {@code RumEvent}s. <b>Out:</b> the same
 * events with route templates, parsed user agent and bot flag, bounded dimensions ({@code other}
 * beyond the budget), error fingerprints and endpoint templates, PII scrubbed; an event whose
 * enrichment fails becomes a dead letter.
 *
 * <p>{@link io.beaconflow.jobs.enrich.Enricher} is the Flink shell (operator state: the cardinality
 * guard's admitted values, the route and endpoint templates learned in event time, and the events
 * held until a watermark settles their template); {@link io.beaconflow.jobs.enrich.EventEnrichment}
 * is the plain-Java pass it runs, and the other classes are its parts. Built by {@code
 * ingest.IngestStage}.
 */
package io.beaconflow.jobs.enrich;
