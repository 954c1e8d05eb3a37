package io.beaconflow.jobs.cli;

import io.beaconflow.config.ConfigException;
import io.beaconflow.detectors.cli.BacktestCommand;
import io.beaconflow.detectors.cli.NabCommand;
import io.beaconflow.jobs.generator.GeneratorToKafka;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./beaconflow}: the one command-line entry point. Each command has its own --help. */
@Command(
        name = "beaconflow",
        mixinStandardHelpOptions = true,
        version = "beaconflow 0.1.0",
        description = "Real-time RUM analytics and anomaly detection on Apache Flink.",
        subcommands = {
            DemoCommand.class,
            EvaluateCommand.class,
            BenchCommand.class,
            GeneratorToKafka.class,
            BacktestCommand.class,
            NabCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Shell commands (run by the ./beaconflow launcher, not the JVM):",
            "  stack    Start, stop and inspect local Kafka, Elasticsearch and a Flink cluster"
                    + " (./beaconflow stack --help)",
            "  submit   Submit the job jar to a Flink cluster (./beaconflow submit --help)",
            "  collect  Beacon collector for Faro, OpenTelemetry web and the native contract"
                    + " (./beaconflow collect --help)",
            "  collect-bench  Load on a running collector with captured SDK requests: requests/s,"
                    + " ack latency p50/p99 (./beaconflow collect-bench --help)",
        })
public final class BeaconflowCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Exit code of a command stopped by a bad configuration file (picocli's usage error). */
    public static final int BAD_CONFIG = 2;

    /**
     * The command tree; later stages register their commands here. A bad configuration file ends
     * the command with its problems (file, line, key, fix) and {@link #BAD_CONFIG}, not a stack
     * trace: the message is the whole answer, and a trace above it hides it.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new BeaconflowCli())
                .setExecutionExceptionHandler(
                        (ex, cmd, parsed) -> {
                            ConfigException bad = configProblem(ex);
                            if (bad == null) throw ex;
                            cmd.getErr()
                                    .println(
                                            "beaconflow "
                                                    + cmd.getCommandName()
                                                    + ": "
                                                    + bad.getMessage());
                            cmd.getErr().flush();
                            return BAD_CONFIG;
                        });
    }

    private static ConfigException configProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConfigException) return (ConfigException) c;
        }
        return null;
    }
}
