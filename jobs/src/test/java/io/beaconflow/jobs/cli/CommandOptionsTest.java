package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The commands that run the job locally over generated traffic take the job config, the generator
 * config and the parallelism the same way: one mixin ({@link LocalJobOptions}), so a user who
 * learned {@code demo --help} knows {@code bench} too, and a new default lands in all of them.
 */
class CommandOptionsTest {
    private static final List<String> SHARED = List.of("--config", "--generator", "--parallelism");

    private static OptionSpec option(String command, String name) {
        return BeaconflowCli.commandLine()
                .getSubcommands()
                .get(command)
                .getCommandSpec()
                .findOption(name);
    }

    @Test
    void demoEvaluateAndBenchSpellDocumentAndDefaultTheSharedOptionsAlike() {
        for (String name : SHARED) {
            OptionSpec demo = option("demo", name);
            for (String command : List.of("evaluate", "bench")) {
                OptionSpec other = option(command, name);
                assertThat(other).as(command + " " + name).isNotNull();
                assertThat(other.description())
                        .as(command + " " + name)
                        .isEqualTo(demo.description());
                assertThat(other.defaultValue())
                        .as(command + " " + name)
                        .isEqualTo(demo.defaultValue());
            }
        }
    }

    @Test
    void demoBenchAndGenerateSpellDocumentAndDefaultTheSeedAlike() {
        OptionSpec demo = option("demo", "--seed");
        assertThat(demo.defaultValue()).isEqualTo("42");
        for (String command : List.of("bench", "generate")) {
            OptionSpec other = option(command, "--seed");
            assertThat(other).as(command).isNotNull();
            assertThat(other.description()).as(command).isEqualTo(demo.description());
            assertThat(other.defaultValue()).as(command).isEqualTo(demo.defaultValue());
        }
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--seed", "7");
        assertThat(bench.seed.value).isEqualTo(7L);
        BenchCommand byDefault = new BenchCommand();
        new CommandLine(byDefault).parseArgs();
        assertThat(byDefault.seed.value).isEqualTo(42L);
    }

    @Test
    void benchReadsTheSharedOptions() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs("--parallelism", "3", "--config", "my.yaml");
        assertThat(bench.job.parallelism).isEqualTo(3);
        assertThat(bench.job.config).hasFileName("my.yaml");
        assertThat(bench.job.generator).hasFileName("generator.yaml");
    }
}
