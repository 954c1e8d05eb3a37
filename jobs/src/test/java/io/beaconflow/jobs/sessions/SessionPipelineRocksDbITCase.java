package io.beaconflow.jobs.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beaconflow.jobs.cli.BenchCommand;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.detection.ScoredAggregate;
import io.beaconflow.jobs.metrics.Dimension;
import io.beaconflow.jobs.model.RumEvent;
import io.beaconflow.jobs.testing.MiniClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SessionPipelineITCase's comparison on the state backend a cluster runs: EmbeddedRocksDB with
 * incremental checkpoints (every second, so the run takes several) and the {@code
 * state.backend.rocksdb.*} settings of flink-conf/config.yaml (timers on the heap, bloom filters).
 * The heap backend hands operators the live objects, RocksDB a serialized copy per read: an
 * operator that mutates a value after {@code update()} and relies on it, or a serializer that drops
 * a field, passes on heap and shows here. Closed sessions must equal an independent sessionization
 * of the accepted events, and each app's per-minute total must count exactly its events.
 */
class SessionPipelineRocksDbITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    @TempDir Path checkpoints;

    @Test
    void onRocksDbClosedSessionsAndPerMinuteCountsEqualAnIndependentComputation() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.interval", "1s");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        Map<String, String> shipped =
                BenchCommand.rocksDbSettings(Path.of("../flink-conf/config.yaml"));
        assertThat(shipped)
                .as("the shipped RocksDB settings")
                .containsEntry("state.backend.rocksdb.timer-service.factory", "HEAP");
        shipped.forEach(conf::setString);
        SessionPipelineITCase.Run run =
                SessionPipelineITCase.run("session-pipeline-rocksdb-itcase", conf);
        JobExecutionResult result = run.result();
        BeaconflowConfig config = run.config();
        List<RumEvent> events = run.events();
        List<SessionRecord> records = run.sessions();
        List<ScoredAggregate> rows = run.metrics();
        // What ran: the cluster's own account of the finished job.
        assertThat(
                        rest("/jobs/" + result.getJobID() + "/checkpoints/config")
                                .path("state_backend")
                                .asText())
                .isEqualTo("EmbeddedRocksDBStateBackend");
        assertThat(
                        rest("/jobs/" + result.getJobID() + "/checkpoints")
                                .path("counts")
                                .path("completed")
                                .asInt())
                .as("checkpoints completed during the run")
                .isPositive();

        // Sessions: as SessionPipelineITCase, session by session.
        Map<String, SessionPipelineITCase.Expected> expected =
                SessionPipelineITCase.sessionize(events, config.sessions);
        Map<String, SessionRecord> closed = SessionPipelineITCase.closedOnce(records);
        SessionPipelineITCase.assertClosedAsExpected(closed, expected);

        // Metrics: each app's total series counts one sample per accepted, non-bot event of the
        // minute (the last firing of each row; a late firing restates the whole window).
        long window = config.metrics.window.toMillis();
        Map<String, Long> expectedSamples =
                events.stream()
                        .filter(e -> !(e.bot && config.metrics.excludeBots))
                        .collect(
                                Collectors.groupingBy(
                                        e -> e.app + "@" + (e.eventTime - e.eventTime % window),
                                        TreeMap::new,
                                        Collectors.counting()));
        Map<String, ScoredAggregate> last = new TreeMap<>();
        for (ScoredAggregate r : rows) {
            if (!Dimension.ALL.configName().equals(r.dimension)) continue;
            last.merge(r.id, r, (a, b) -> a.updateSeq >= b.updateSeq ? a : b);
        }
        Map<String, Long> foundSamples = new TreeMap<>();
        for (ScoredAggregate r : last.values()) {
            foundSamples.merge(r.app + "@" + r.windowStart, r.samples, Long::sum);
        }
        System.out.printf(
                "sessions on RocksDB: %d events, %d closed sessions (expected %d), %d app-minutes%n",
                events.size(), closed.size(), expected.size(), foundSamples.size());
        assertThat(foundSamples).isEqualTo(expectedSamples);
    }

    /** GET from the MiniCluster's REST endpoint. */
    private static JsonNode rest(String path) throws Exception {
        Configuration client = FLINK.getClientConfiguration();
        URI uri =
                URI.create(
                        "http://"
                                + client.get(RestOptions.ADDRESS)
                                + ":"
                                + client.get(RestOptions.PORT)
                                + path);
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(uri).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }
}
