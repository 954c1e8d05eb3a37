/**
 * Sources and sinks, no stage logic: Kafka source and dead-letter sink ({@code io.kafka}), the
 * Elasticsearch Sink V2 with index templates ({@code io.elasticsearch}), the webhook notifier
 * ({@code io.webhook}), NDJSON files, and {@link io.beaconflow.jobs.io.Json}, the one place for
 * JSON output. Each sink is idempotent (deterministic document ids) and counts what it did.
 */
package io.beaconflow.jobs.io;
