package io.beaconflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.config.BeaconflowConfig;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The production job's graph built from the configuration file we ship, exactly as {@code
 * ./beaconflow submit} reads it: the cluster path once failed on the shipped file (its comment-only
 * {@code notifications:} section) while every test with its own config passed. And its start-up
 * checks on that file: no user-id salt, or the public demo salt, stops it.
 */
class BeaconflowJobTest {
    private static final String SHIPPED = "../flink-conf/beaconflow.yaml";

    /** The environment ./beaconflow submit gives the job on the local stack. */
    private static final Map<String, String> WITH_SALT =
            Map.of("BEACONFLOW_USER_ID_SALT", "5e1d2f0a9c");

    @Test
    void theShippedConfigurationBuildsTheWholeProductionGraph() {
        BeaconflowConfig config = BeaconflowJob.loadConfig(SHIPPED, WITH_SALT::get);
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
                .doesNotContain("webhook notifications")
                .as("traces are on in the shipped file: server-span source, join and sinks")
                .contains("Source: source: server spans kafka")
                .contains("traces: join fetches with server spans")
                .contains("traces: slow-API alerts name the backend service")
                .contains("sink: fetch timings: Writer")
                .contains("sink: endpoint timings: Writer");
    }

    @Test
    void withTracesDisabledNoServerSpanSourceJoinOrSinkIsWired() {
        BeaconflowConfig config = BeaconflowJob.loadConfig(SHIPPED, WITH_SALT::get);
        config.traces.enabled = false;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        BeaconflowJob.wire(env, config, config.elasticsearchSinkConfig(SHIPPED));

        assertThat(env.getExecutionPlan())
                .contains("Source: source: kafka")
                .doesNotContain("server spans")
                .doesNotContain("traces:")
                .doesNotContain("sink: fetch timings");
    }

    @Test
    void withoutASaltTheJobStopsAtStartNamingTheKeyAndTheFix() {
        assertThatThrownBy(() -> BeaconflowJob.loadConfig(SHIPPED, Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(SHIPPED)
                .hasMessageContaining("ingest.privacy.user-id-salt")
                .hasMessageContaining("BEACONFLOW_USER_ID_SALT");
    }

    @Test
    void thePublicDemoSaltIsRefusedByTheProductionJob() {
        for (String salt : new String[] {"beaconflow-demo-salt", "compose-demo-salt-change-me"}) {
            assertThatThrownBy(
                            () ->
                                    BeaconflowJob.loadConfig(
                                            SHIPPED, Map.of("BEACONFLOW_USER_ID_SALT", salt)::get))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("public demo salt");
        }
    }

    @Test
    void aSecretSaltFromTheEnvironmentStartsTheJob() {
        assertThat(BeaconflowJob.loadConfig(SHIPPED, WITH_SALT::get).ingest.privacy.userIdSalt)
                .isEqualTo("5e1d2f0a9c");
    }
}
