package io.beaconflow.detectors.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Standalone entry point for the detector tools ({@code backtest}, {@code nab}); the repo's {@code
 * ./beaconflow} launcher registers the same commands.
 */
@Command(
        name = "detectors",
        mixinStandardHelpOptions = true,
        description =
                "Beaconflow detector tools: replay a recorded series, score the NAB benchmark.",
        subcommands = {BacktestCommand.class, NabCommand.class})
public final class DetectorsCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DetectorsCli()).execute(args));
    }
}
