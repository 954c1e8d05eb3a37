package io.beaconflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;

/**
 * The cluster's restart strategy ({@code flink-conf/config.yaml}) gives up on a record that fails
 * the job every time it is replayed: the job ends FAILED after a bounded number of restarts instead
 * of looping in RESTARTING forever (it did, with the earlier never-ending exponential-delay
 * strategy, when one beacon threw in the aggregation path).
 */
class ShippedRestartStrategyITCase {
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();

    private static Configuration shipped() {
        return GlobalConfiguration.loadConfiguration(
                ClusterStack.REPO.resolve("flink-conf").toString());
    }

    @Test
    void theShippedStrategyBoundsFailuresPerIntervalSoALoopGivesUp() {
        Configuration c = shipped();
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("failure-rate");
        int maxFailures =
                c.get(
                        RestartStrategyOptions
                                .RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL);
        Duration interval =
                c.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL);
        Duration delay = c.get(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY);
        assertThat(delay.multipliedBy(maxFailures))
                .as("a failure on every replay exceeds the rate within one interval")
                .isLessThan(interval);
        assertThat(delay)
                .as("time for a broker or node to come back")
                .isGreaterThan(Duration.ofSeconds(1));
    }

    @Test
    void aRecordThatFailsOnEveryReplayFailsTheJobAfterTheShippedNumberOfRestarts()
            throws Exception {
        Configuration shipped = shipped();
        Configuration c = new Configuration();
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY,
                shipped.get(RestartStrategyOptions.RESTART_STRATEGY));
        int maxFailures =
                shipped.get(
                        RestartStrategyOptions
                                .RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL);
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL,
                maxFailures);
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL,
                shipped.get(
                        RestartStrategyOptions
                                .RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL));
        // Only the delay is shortened, so the test takes seconds instead of minutes.
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY, Duration.ofMillis(50));
        ATTEMPTS.set(0);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, c);
        env.fromData(1, 2, 3)
                .map(
                        v -> {
                            if (v == 2) {
                                ATTEMPTS.incrementAndGet();
                                throw new IllegalStateException("poison record");
                            }
                            return v;
                        })
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("poison");
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        try {
            result.get(120, TimeUnit.SECONDS);
            throw new AssertionError("the job finished although every attempt failed");
        } catch (ExecutionException expected) {
            assertThat(expected).hasStackTraceContaining("poison record");
        }
        assertThat(ATTEMPTS.get())
                .as("the first attempt and one per allowed restart")
                .isEqualTo(maxFailures + 1);
    }
}
