package io.beaconflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import java.nio.file.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The production job's graph built from the configuration file we ship, exactly as {@code
 * ./beaconflow submit} reads it: the cluster path once failed on the shipped file (its comment-only
 * {@code notifications:} section) while every test with its own config passed.
 */
class BeaconflowJobTest {
    private static final String SHIPPED = "../flink-conf/beaconflow.yaml";

    @Test
    void theShippedConfigurationBuildsTheWholeProductionGraph() {
        BeaconflowConfig config = BeaconflowConfig.load(Path.of(SHIPPED));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        BeaconflowJob.wire(env, config, config.elasticsearchSinkConfig(SHIPPED));

        String plan = env.getExecutionPlan();
        assertThat(plan)
                .contains("Source: source: kafka")
                .contains("sink: sessions: Writer")
                .contains("sink: metric aggregates: Writer")
                .contains("sink: alerts: Writer")
                .contains("sink: dead letters: Writer")
                .contains("sink: late events: Writer")
                .as("no webhook in the shipped file: no notification sink")
                .doesNotContain("webhook notifications");
    }
}
