package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fault injection on the real standalone cluster of {@code scripts/stack.sh}: the production job
 * (submitted with {@code scripts/submit.sh}, as a user would) reads paced generator traffic from
 * Kafka; mid-stream the TaskManager running it is killed with SIGKILL and a new one is started. The
 * job must restore its last checkpoint on the new TaskManager and, once a checkpoint covers all the
 * input, its outputs must hold exactly what the generator's ground truth says: nothing lost,
 * nothing unexpected, every copy of a record identical. Copies are counted and printed: the Kafka
 * dead-letter sinks are at-least-once, so records written between the last checkpoint and the kill
 * are written again by the replay.
 */
class TaskManagerFailoverITCase {
    private static final ClusterStack STACK = new ClusterStack();

    /** Simulated seconds per second: 30 minutes of traffic arrive over 45 s. */
    private static final double SPEED = 40;

    @Test
    void aTaskManagerKilledMidStreamIsReplacedAndTheJobRecoversWithNothingLost() {
        try (ClusterRun run =
                ClusterRun.create(STACK, "it-tm-kill", ClusterRun.traffic("30m"), SPEED)) {
            String job = run.submit();
            run.awaitRunning(job);
            run.startProducing();

            // Mid-stream, after a checkpoint that holds real progress.
            long total = run.truth.records();
            ClusterStack.await(
                    "a quarter of the traffic to be produced",
                    Duration.ofSeconds(60),
                    () -> run.traffic.sent() >= total / 4);
            long completed = STACK.checkpointCounts(job).path("completed").asLong();
            ClusterStack.await(
                    "a checkpoint after that point",
                    Duration.ofSeconds(60),
                    () -> STACK.checkpointCounts(job).path("completed").asLong() > completed);
            String victim = taskManagerOf(job);
            long sentAtKill = run.traffic.sent();
            String killed = STACK.stack("tm", "kill9", victim);
            run.log("killed tm-" + killed + " (SIGKILL) after " + sentAtKill + " records");
            Instant killedAt = Instant.now();
            assertThat(sentAtKill)
                    .as("the kill happens while traffic is still arriving")
                    .isLessThan(total);

            String replacement = nextTaskManagerId(Integer.parseInt(killed));
            STACK.stack("tm", "start", replacement);
            run.log("started tm-" + replacement);
            ClusterStack.await(
                    "job " + job + " to restore a checkpoint and run again",
                    Duration.ofSeconds(120),
                    () ->
                            STACK.checkpointCounts(job).path("restored").asLong() >= 1
                                    && STACK.allTasksRunning(job));
            Duration recovery = Duration.between(killedAt, Instant.now());
            run.log("job restored its checkpoint and runs again");
            JsonNode restored =
                    STACK.get("/jobs/" + job + "/checkpoints").path("latest").path("restored");

            long produced = run.awaitProduced(Duration.ofSeconds(120));
            run.awaitCheckpointCoversAllInput(job);

            FoundOutputs found = FoundOutputs.read(run);
            List<OutputCheck> checks = found.compare(ExpectedOutputs.from(run.truth), run);
            System.out.printf(
                    "%s   traffic: %d records produced (%d before the kill); tm-%s killed, tm-%s"
                            + " started; running again %d s after the kill, restored checkpoint %s"
                            + " (%s); late events carry %d distinct Kafka keys%n",
                    OutputCheck.table("TaskManager kill -9 mid-stream: expected vs found", checks),
                    produced,
                    sentAtKill,
                    killed,
                    replacement,
                    recovery.toSeconds(),
                    restored.path("id").asText("?"),
                    restored.path("external_path").asText("?"),
                    found.lateEventKeys());

            assertThat(produced).as("records produced").isEqualTo(total);
            assertThat(restored.path("is_savepoint").asBoolean())
                    .as("restored from a checkpoint")
                    .isFalse();
            assertThat(checks)
                    .as("outputs after the failover")
                    .allSatisfy(c -> assertThat(c.complete()).as(c.line()).isTrue());
        }
    }

    /** The stack id (N of tm-N) of the TaskManager running the job's first task. */
    private static String taskManagerOf(String job) {
        JsonNode vertex = STACK.get("/jobs/" + job).path("vertices").get(0);
        JsonNode tms =
                STACK.get(
                        "/jobs/"
                                + job
                                + "/vertices/"
                                + vertex.path("id").asText()
                                + "/taskmanagers");
        String tm = tms.path("taskmanagers").get(0).path("taskmanager-id").asText();
        assertThat(tm).as("TaskManager ids of the stack look like tm-N").matches("tm-\\d+");
        return tm.substring(3);
    }

    /**
     * One past the highest TaskManager id in use, so the new process has a new identity (a new
     * process re-using the dead one's resource id would be taken for it by the JobManager).
     */
    private static String nextTaskManagerId(int killed) {
        TreeSet<Integer> ids = new TreeSet<>(List.of(killed));
        for (String s : STACK.stack("tm", "list").split("\\s+")) {
            if (!s.isBlank()) ids.add(Integer.parseInt(s));
        }
        return String.valueOf(ids.last() + 1);
    }

    /** Leaves the cluster with a healthy TaskManager for whatever runs next. */
    @AfterAll
    static void leaveOneTaskManagerRunning() {
        if (STACK.stack("tm", "list").isBlank()) STACK.stack("tm", "start");
    }
}
