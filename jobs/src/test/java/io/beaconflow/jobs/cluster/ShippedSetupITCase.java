package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The documented cluster path, run as a new user runs it: the README's and docs/cluster.md's
 * commands verbatim, with the shipped {@code flink-conf/beaconflow.yaml} and {@code
 * flink-conf/generator.yaml} (no test configuration anywhere): {@code ./beaconflow stack up},
 * {@code eval "$(./beaconflow stack env)"}, {@code JOB=$(./beaconflow submit --parallelism 2)},
 * then {@code ./beaconflow generate} for traffic into Kafka, and the documents in Elasticsearch.
 * The cluster path once failed on the shipped file (a comment-only section read as null) while
 * every cluster test, each with its own file, passed.
 *
 * <p>The shipped file writes the unprefixed {@code rum-*} indices and reads {@code rum-raw} with
 * the {@code beaconflow} consumer group, so the checks are deltas: documents added by this run's
 * records (committed offsets make a second run start after the first one's records).
 */
class ShippedSetupITCase {
    private static final ClusterStack STACK = new ClusterStack();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theReadmeCommandsWithTheShippedFilesTurnGeneratedTrafficIntoDocuments() throws Exception {
        STACK.requireCluster();
        EsIndices es = new EsIndices(STACK.elasticsearchUrl);
        Set<String> before = new HashSet<>(es.indices("rum-*"));
        long deadLettersBefore = es.count("rum-deadletter");
        long sessionsBefore = es.count("rum-sessions-*");
        long metricsBefore = es.count("rum-metrics-*");
        Path stats = Files.createTempFile("shipped-generate", ".json");
        String job = null;
        try {
            // docs/cluster.md, "1. The local cluster", verbatim.
            String submitted =
                    STACK.bash(
                            Duration.ofMinutes(6),
                            "./beaconflow stack up",
                            "eval \"$(./beaconflow stack env)\"",
                            "JOB=$(./beaconflow submit --parallelism 2)",
                            "echo \"$JOB\"");
            job = lastLine(submitted);
            assertThat(job).as("the job id submit prints").matches("[0-9a-f]{32}");
            String id = job;
            ClusterStack.await(
                    "every task of the shipped job to run",
                    Duration.ofMinutes(2),
                    () -> STACK.allTasksRunning(id));

            // README / docs/cluster.md: generator traffic into the raw topic.
            STACK.bash(
                    Duration.ofMinutes(5),
                    "eval \"$(./beaconflow stack env)\"",
                    "./beaconflow generate --duration 20m --speed max --seed 3 --quiet"
                            + " --stats-out "
                            + stats);
            JsonNode generated = JSON.readTree(stats.toFile());
            long malformed = generated.path("malformed_records").asLong();
            assertThat(generated.path("records").asLong()).isPositive();
            assertThat(malformed).as("the generator sends malformed beacons").isPositive();

            ClusterStack.await(
                    "every malformed record of the run in rum-deadletter",
                    Duration.ofMinutes(4),
                    () -> es.count("rum-deadletter") - deadLettersBefore >= malformed);
            ClusterStack.await(
                    "sessions and metric rows in Elasticsearch",
                    Duration.ofMinutes(4),
                    () ->
                            es.count("rum-sessions-*") > sessionsBefore
                                    && es.count("rum-metrics-*") > metricsBefore);
            assertThat(es.count("rum-deadletter") - deadLettersBefore)
                    .as("one dead-letter document per malformed record, no more")
                    .isEqualTo(malformed);
            assertThat(STACK.jobState(id)).isEqualTo("RUNNING");
            assertThat(
                            STACK.get("/jobs/" + id + "/exceptions")
                                    .path("exceptionHistory")
                                    .path("entries")
                                    .size())
                    .as("the job never failed over")
                    .isZero();
            System.out.printf(
                    "shipped setup: %d records generated (%d malformed); +%d sessions, +%d metric"
                            + " rows, +%d dead letters in Elasticsearch; job %s RUNNING, 0"
                            + " failovers%n",
                    generated.path("records").asLong(),
                    malformed,
                    es.count("rum-sessions-*") - sessionsBefore,
                    es.count("rum-metrics-*") - metricsBefore,
                    es.count("rum-deadletter") - deadLettersBefore,
                    id);
        } finally {
            if (job != null) {
                STACK.bash(Duration.ofMinutes(2), "./beaconflow submit --cancel " + job);
            }
            // Leave the shared cluster's unprefixed indices as this test found them.
            for (String index : es.indices("rum-*")) {
                if (!before.contains(index)) es.delete(index);
            }
            Files.deleteIfExists(stats);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1].trim();
    }
}
