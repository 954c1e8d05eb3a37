package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
}
