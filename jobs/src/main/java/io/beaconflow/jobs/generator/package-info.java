/**
 * Synthetic RUM traffic with ground truth, no Flink logic of the job. <b>In:</b> {@code
 * generator.yaml} (apps, seasonality, bots, skew, retries, malformed beacons) and incident files.
 * <b>Out:</b> raw beacons with their arrival time, deterministic for a seed: as a Flink source
 * ({@link io.beaconflow.jobs.generator.GeneratorSource}, the demo), into a Kafka topic ({@link
 * io.beaconflow.jobs.generator.GeneratorToKafka}, {@code ./beaconflow generate}; {@link
 * io.beaconflow.jobs.generator.TrafficToKafka}), and the injected incidents ({@link
 * io.beaconflow.jobs.generator.IncidentTruth}).
 */
package io.beaconflow.jobs.generator;
