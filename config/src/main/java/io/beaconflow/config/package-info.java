/**
 * The configuration kit shared by the job ({@code jobs/}, {@code beaconflow.yaml}) and the
 * collector ({@code collector/}, {@code collector.yaml}): one YAML binding ({@link
 * io.beaconflow.config.ConfigYaml}: kebab-case keys, unknown keys are errors, {@code ${VAR}} /
 * {@code ${VAR:default}}), the line of every key ({@link io.beaconflow.config.KeyLines}), checks
 * that collect every problem with file, line, key and fix ({@link
 * io.beaconflow.config.ConfigProblems}) and the one {@link io.beaconflow.config.ConfigException}.
 * Plain Java and Jackson only: the collector has no Flink on its class path.
 */
package io.beaconflow.config;
