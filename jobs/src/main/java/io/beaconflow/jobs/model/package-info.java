/**
 * The records that flow between stages ({@link io.beaconflow.jobs.model.RumEvent}, {@link
 * io.beaconflow.jobs.model.DeadLetter}, ...): Flink POJOs, no logic beyond small helpers. Depends
 * on nothing else in the job.
 */
package io.beaconflow.jobs.model;
