package io.beaconflow.jobs.generator;

import picocli.CommandLine.Option;

/**
 * The {@code --seed} option of every command that generates traffic ({@code demo}, {@code bench},
 * {@code generate}): a picocli mixin, so the three spell, default and document it the same way and
 * seed 42 means the same traffic in each (the demo's summary, the bench's events and the Kafka
 * generator's records come from the same {@link TrafficGenerator} sequence).
 */
public final class GeneratorSeed {
    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Generator seed (default: ${DEFAULT-VALUE}).")
    public long value;
}
