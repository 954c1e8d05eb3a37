/**
 * The job's configuration file ({@code beaconflow.yaml}) bound and validated in one place: {@link
 * io.beaconflow.jobs.config.BeaconflowConfig} holds one section class per stage (some live next to
 * their stage) and every bad value is a {@link io.beaconflow.config.ConfigException} naming the
 * file, the key and the fix. The binding and the shared checks are the config kit's ({@code
 * config/}, package {@code io.beaconflow.config}), shared with the collector. A new setting: a
 * field in its section class, its check in that class's {@code validate}, a commented key in {@code
 * flink-conf/beaconflow.yaml}.
 */
package io.beaconflow.jobs.config;
