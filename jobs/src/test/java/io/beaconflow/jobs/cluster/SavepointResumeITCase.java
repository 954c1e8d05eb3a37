package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The upgrade path on the real standalone cluster: the production job runs on paced traffic, is
 * stopped with a savepoint mid-stream ({@code ./beaconflow submit --stop-with-savepoint}) while
 * traffic keeps arriving, and is submitted again from that savepoint ({@code ./beaconflow submit
 * --from-savepoint}) with the job jar of this build: every operator's state must map back by uid
 * (no {@code --allow-non-restored-state}), and the outputs must hold exactly the expected records,
 * without a single copy: a stop-with-savepoint flushes the sinks and ends the job at the savepoint,
 * so nothing is replayed.
 */
class SavepointResumeITCase {
    private static final ClusterStack STACK = new ClusterStack();

    /** Simulated seconds per second: 20 minutes of traffic arrive over 30 s. */
    private static final double SPEED = 40;

    @Test
    void aJobStoppedWithASavepointAndResubmittedFromItContinuesWithoutLossOrCopies()
            throws IOException {
        Path savepoints = ClusterStack.REPO.resolve("jobs/target/cluster-it/savepoints");
        try (ClusterRun run =
                ClusterRun.create(STACK, "it-savepoint", ClusterRun.traffic("20m"), SPEED)) {
            String first = run.startWithTraffic();
            long total = run.truth.records();
            run.awaitSent("a third", 3);

            // Counted before the stop: on a loaded machine the stop command (a JVM start, then
            // the savepoint) can outlast the rest of the traffic, and what this checks is that
            // the stop was asked for mid-stream.
            long sentBeforeStop = run.traffic.sent();
            assertThat(sentBeforeStop)
                    .as("stopped while traffic is still arriving")
                    .isLessThan(total);
            String savepoint = STACK.submit("--stop-with-savepoint", first, savepoints.toString());
            long sentAtStop = run.traffic.sent();
            run.log("stopped with savepoint " + savepoint + " after " + sentAtStop + " records");
            ClusterStack.await(
                    "the first job to finish at its savepoint",
                    Duration.ofSeconds(30),
                    () -> "FINISHED".equals(STACK.jobState(first)));
            assertThat(Path.of(savepoint.replaceFirst("^file:", "")).resolve("_metadata"))
                    .as("savepoint metadata")
                    .exists();

            String second = run.submit("--from-savepoint", savepoint);
            run.awaitRunning(second);
            JsonNode restored =
                    STACK.get("/jobs/" + second + "/checkpoints").path("latest").path("restored");
            long produced = run.awaitProduced(Duration.ofSeconds(120));
            run.awaitCheckpointCoversAllInput(second);

            List<OutputCheck> checks =
                    FoundOutputs.read(run).compare(ExpectedOutputs.from(run.truth), run);
            System.out.printf(
                    "%s   traffic: %d records produced (%d before the stop); savepoint %s;"
                            + " job %s resumed as %s%n",
                    OutputCheck.table("stop with savepoint, resume: expected vs found", checks),
                    produced,
                    sentAtStop,
                    savepoint,
                    first,
                    second);

            assertThat(produced).as("records produced").isEqualTo(total);
            assertThat(restored.path("is_savepoint").asBoolean())
                    .as("the second job restored the savepoint: " + restored)
                    .isTrue();
            assertThat(checks)
                    .as("outputs across stop and resume")
                    .allSatisfy(
                            c -> {
                                assertThat(c.complete()).as(c.line()).isTrue();
                                assertThat(c.duplicated()).as(c.line()).isZero();
                            });
        } finally {
            deleteTree(savepoints);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
