package io.beaconflow.jobs.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that run the job on an embedded MiniCluster over generated traffic
 * ({@code demo}, {@code evaluate}, {@code bench}): the job config, the generator config and the
 * Flink parallelism. A picocli mixin, so all three spell and document them the same way ({@code
 * CommandOptionsTest}).
 */
public final class LocalJobOptions {
    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--config",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/beaconflow.yaml",
            description = "Job configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(
            names = "--generator",
            defaultValue = "${sys:beaconflow.home:-.}/flink-conf/generator.yaml",
            description = "Traffic generator configuration (default: ${DEFAULT-VALUE}).")
    Path generator;
}
