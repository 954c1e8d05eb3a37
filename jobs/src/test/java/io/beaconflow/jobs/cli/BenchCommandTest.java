package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.model.RawBeacon;
import io.beaconflow.jobs.testing.LocalJobArgs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The bench's MiniCluster survives a starved JVM (or fails with the cause), and its RocksDB run
 * uses the cluster's RocksDB settings from flink-conf/config.yaml.
 */
class BenchCommandTest {
    private static final Path CLUSTER_CONFIG = Path.of("..", "flink-conf", "config.yaml");

    @Test
    void theBenchsMiniClusterKeepsItsTaskManagerThroughLongStalls() {
        ReadableConfig conf =
                LocalFlink.environment(1, BenchCommand.benchConfiguration()).getConfiguration();
        // LocalFlink's own 60 s must not replace the bench's: that is how the TaskManager was lost.
        assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT))
                .isGreaterThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(conf.get(HeartbeatManagerOptions.HEARTBEAT_RPC_FAILURE_THRESHOLD)).isEqualTo(-1);
        // The watchdog's fatal error is what shuts a MiniCluster's only TaskManager down for good.
        assertThat(conf.get(TaskManagerOptions.TASK_CANCELLATION_TIMEOUT)).isEqualTo(Duration.ZERO);
    }

    @Test
    void demoAndEvaluateKeepTheirOneMinuteHeartbeat() {
        assertThat(
                        LocalFlink.environment(1)
                                .getConfiguration()
                                .get(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aFailureFailsTheBenchRunWithItsCauseInsteadOfRestartingAndReplaying() {
        StreamExecutionEnvironment env =
                LocalFlink.environment(1, BenchCommand.benchConfiguration());
        env.enableCheckpointing(100);
        env.fromData(1, 2, 3)
                .map(
                        (MapFunction<Integer, Integer>)
                                i -> {
                                    throw new IllegalStateException("boom " + i);
                                })
                .sinkTo(new DiscardingSink<>());
        assertThatThrownBy(() -> env.execute("fails"))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .rootCause()
                .hasMessageStartingWith("boom");
    }

    @Test
    void theRocksDbRunTakesTheClustersRocksDbSettingsAndTheOverridesLast(@TempDir Path chk)
            throws Exception {
        Map<String, String> rocksDb = BenchCommand.rocksDbSettings(CLUSTER_CONFIG);
        assertThat(rocksDb)
                .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
                .containsEntry("state.backend.rocksdb.timer-service.factory", "HEAP")
                .allSatisfy((k, v) -> assertThat(k).startsWith("state.backend.rocksdb."));

        Configuration rocks =
                BenchCommand.pipelineConfiguration(
                        "rocksdb", chk, rocksDb, Map.of("execution.checkpointing.interval", "30s"));
        assertThat(rocks.toMap())
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
                .containsEntry("execution.checkpointing.interval", "30s")
                .containsEntry("execution.checkpointing.incremental", "true");

        Configuration heap = BenchCommand.pipelineConfiguration("hashmap", chk, rocksDb, Map.of());
        assertThat(heap.toMap())
                .containsEntry("execution.checkpointing.interval", "10s")
                .doesNotContainKey("state.backend.rocksdb.use-bloom-filter");
    }

    @Test
    void setTakesRepeatedKeyValuePairs() {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench)
                .parseArgs(
                        "--set",
                        "execution.checkpointing.interval=30s",
                        "--set",
                        "state.backend.rocksdb.timer-service.factory=HEAP");
        assertThat(bench.overrides)
                .containsExactly(
                        Map.entry("execution.checkpointing.interval", "30s"),
                        Map.entry("state.backend.rocksdb.timer-service.factory", "HEAP"));
        assertThat(Files.exists(CLUSTER_CONFIG)).isTrue();
    }

    /**
     * The whole command on a few minutes of traffic: the warm-up runs first on its prefix of the
     * traffic, the measured rows follow, and (d) is measured on the decoded events before the runs
     * drop them.
     */
    @Test
    void aShortBenchWarmsUpOnThePrefixThenMeasuresAndEndsWithTheRatio() {
        StringWriter printed = new StringWriter();
        CommandLine cli = BeaconflowCli.commandLine();
        cli.setOut(new PrintWriter(printed));
        StringWriter errors = new StringWriter();
        cli.setErr(new PrintWriter(errors));
        List<String> args =
                new java.util.ArrayList<>(
                        List.of("bench", "--duration", "20m", "--warmup", "10m", "--skip-rocksdb"));
        args.addAll(LocalJobArgs.shippedFiles());
        args.addAll(List.of("--parallelism", "1", "--flink-conf", CLUSTER_CONFIG.toString()));
        int exit = cli.execute(args.toArray(new String[0]));
        assertThat(exit).as(errors.toString()).isZero();
        List<String> rows = printed.toString().lines().filter(l -> l.startsWith("| (")).toList();
        assertThat(rows)
                .extracting(l -> l.substring(2, l.indexOf(')') + 1))
                .containsExactly("(a0)", "(a)", "(w)", "(b)", "(d)");
        assertThat(rows.get(2))
                .startsWith("| (w) warm-up, full pipeline on the first 10m, cold JVM");
        // The warm-up ran on part of the traffic: fewer events than the whole, so a rate of its
        // own.
        Matcher bytes = Pattern.compile("\\| (\\d+) bytes").matcher(rows.get(4));
        assertThat(bytes.find()).isTrue();
        assertThat(Integer.parseInt(bytes.group(1))).isBetween(100, 2_000);
        List<String> lines = printed.toString().lines().toList();
        assertThat(lines.get(lines.size() - 1)).matches("pipeline/parse ratio: \\d+\\.\\d\\d");
    }

    @Test
    void aWarmUpThatIsNotADurationIsAUsageErrorNamingTheOptionBeforeAnyTrafficIsMade() {
        StringWriter errors = new StringWriter();
        CommandLine cli = BeaconflowCli.commandLine();
        cli.setErr(new PrintWriter(errors));
        assertThat(cli.execute("bench", "--warmup", "2 hours")).isEqualTo(2);
        assertThat(errors.toString()).startsWith("--warmup: '2 hours' has unknown unit 'hours'");
    }

    @Test
    void aWarmUpLongerThanTheTrafficIsTheWholeTrafficAndZeroIsNone() {
        RawBeacon[] beacons = {beacon(1_000), beacon(61_000), beacon(121_000)};
        assertThat(BenchCommand.warmupBeacons(beacons, Duration.ZERO)).isZero();
        assertThat(BenchCommand.warmupBeacons(beacons, Duration.ofMinutes(1))).isEqualTo(1);
        assertThat(BenchCommand.warmupBeacons(beacons, Duration.ofMillis(60_001))).isEqualTo(2);
        assertThat(BenchCommand.warmupBeacons(beacons, Duration.ofHours(1))).isEqualTo(3);
        assertThat(BenchCommand.warmupBeacons(new RawBeacon[0], Duration.ofHours(1))).isZero();
    }

    private static RawBeacon beacon(long receivedAt) {
        return new RawBeacon(new byte[0], "test", 0, 0, receivedAt);
    }
}
