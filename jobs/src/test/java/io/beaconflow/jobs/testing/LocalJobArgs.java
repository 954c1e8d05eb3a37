package io.beaconflow.jobs.testing;

import java.util.List;

/**
 * The shipped job and generator files as the local commands (demo, evaluate, bench) take them, from
 * the {@code jobs} module's directory, where the tests run.
 */
public final class LocalJobArgs {
    private LocalJobArgs() {}

    /** {@code --config} and {@code --generator} naming the files under {@code flink-conf/}. */
    public static List<String> shippedFiles() {
        return List.of(
                "--config", "../flink-conf/beaconflow.yaml",
                "--generator", "../flink-conf/generator.yaml");
    }
}
