/**
 * Not a stage: the input of {@code ./beaconflow bench} and of the ITCases that need beacons at full
 * speed without a broker ({@link io.beaconflow.jobs.bench.MemoryBeaconSource}: serialized beacons
 * held in memory, decoded inside the source as the Kafka source decodes them). <b>In:</b> raw
 * beacons registered in this JVM. <b>Out:</b> {@code IngestRecord}s, as the Kafka source emits
 * them, for stage 1 (ingest).
 */
package io.beaconflow.jobs.bench;
