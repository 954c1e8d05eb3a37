package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What a JobManager crash does to a standalone cluster without high availability (the stack's and
 * the compose file's configuration), and the way back: the JobManager is killed with SIGKILL
 * mid-stream and started again. The TaskManagers register with the new JobManager, but it has no
 * record of the job: the job is gone, not failed over. Its retained checkpoint (config.yaml keeps
 * checkpoints on cancellation and failure) is intact, and submitting the job from it ({@code
 * ./beaconflow submit --from-savepoint <chk dir>}) continues with nothing lost. With HA (ZooKeeper
 * or Kubernetes, docs/cluster.md) the new JobManager would recover the job by itself.
 */
class JobManagerLossITCase {
    private static final ClusterStack STACK = new ClusterStack();

    /** Simulated seconds per second: 20 minutes of traffic arrive over 30 s. */
    private static final double SPEED = 40;

    @Test
    void
            withoutHighAvailabilityAKilledJobManagerLosesTheJobWhichResumesFromItsRetainedCheckpoint() {
        try (ClusterRun run =
                ClusterRun.create(STACK, "it-jm-kill", ClusterRun.traffic("20m"), SPEED)) {
            String job = run.startWithTraffic();
            long total = run.truth.records();
            run.awaitSent("a quarter", 4);
            run.awaitNextCheckpoint(job);
            String checkpoint = STACK.latestCheckpointPath(job);
            assertThat(checkpoint).as("a retained checkpoint path").isNotBlank();

            STACK.stack("jm", "kill9");
            long sentAtKill = run.traffic.sent();
            run.log("killed the JobManager (SIGKILL) after " + sentAtKill + " records");
            STACK.stack("jm", "start");
            run.log("started a new JobManager");
            ClusterStack.await(
                    "a TaskManager with free slots to register with the new JobManager",
                    Duration.ofSeconds(90),
                    () ->
                            STACK.registeredTaskManagers() >= 1
                                    && STACK.get("/overview").path("slots-available").asInt()
                                            >= ClusterRun.PARALLELISM);
            String stateAfterRestart = STACK.jobState(job);
            int jobsKnown = STACK.get("/jobs/overview").path("jobs").size();
            run.log("TaskManager registered with free slots; the old job is " + stateAfterRestart);

            String resumed = run.submit("--from-savepoint", checkpoint);
            run.awaitRunning(resumed);
            long produced = run.awaitProduced(Duration.ofSeconds(120));
            run.awaitCheckpointCoversAllInput(resumed);

            List<OutputCheck> checks =
                    FoundOutputs.read(run).compare(ExpectedOutputs.from(run.truth), run);
            System.out.printf(
                    "%s   traffic: %d records produced (%d before the kill); after the JobManager"
                            + " restart job %s is %s (%d jobs known); resumed from %s as %s%n",
                    OutputCheck.table("JobManager kill -9 without HA: expected vs found", checks),
                    produced,
                    sentAtKill,
                    job,
                    stateAfterRestart == null ? "unknown to the cluster" : stateAfterRestart,
                    jobsKnown,
                    checkpoint,
                    resumed);

            assertThat(stateAfterRestart)
                    .as("without HA the new JobManager does not know the job")
                    .isNull();
            assertThat(produced).as("records produced").isEqualTo(total);
            assertThat(checks)
                    .as("outputs after resuming from the retained checkpoint")
                    .allSatisfy(c -> assertThat(c.complete()).as(c.line()).isTrue());
        }
    }

    /** Leaves a healthy JobManager and TaskManager for whatever runs next. */
    @AfterAll
    static void leaveTheClusterRunning() {
        STACK.stack("jm", "start");
        if (STACK.stack("tm", "list").isBlank()) STACK.stack("tm", "start");
    }
}
