package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A command given a bad configuration file stops before it starts anything, with every problem
 * (file, line, key, fix) on stderr and exit code 2, and no stack trace burying the message.
 */
class BadConfigMessageTest {
    @TempDir Path dir;

    @Test
    void demoWithABadJobFileSaysEachProblemWithItsLineAndFixAndNoStackTrace() throws Exception {
        String shipped = Files.readString(Path.of("..", "flink-conf", "beaconflow.yaml"));
        String bad =
                shipped.replace("\n  max-batch-events: 500", "\n  max-batch-events: 0")
                        .replace("\n  gap: 30m", "\n  gap: -5m");
        assertThat(bad).as("both keys found in the shipped file").isNotEqualTo(shipped);
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, bad);
        StringWriter err = new StringWriter();
        CommandLine cli = BeaconflowCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int code =
                cli.execute(
                        "demo",
                        "--config",
                        file.toString(),
                        "--out",
                        dir.resolve("out").toString());

        assertThat(code).isEqualTo(BeaconflowCli.BAD_CONFIG);
        assertThat(err.toString())
                .startsWith("beaconflow demo: 2 problems in " + file)
                .contains(
                        "line 11: ingest.max-batch-events: must be greater than 0 (got 0). Fix:"
                                + " set e.g. 500")
                .contains("sessions.gap: must be a duration > 0 (got -5m)")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("out")).as("nothing started").doesNotExist();
    }
}
