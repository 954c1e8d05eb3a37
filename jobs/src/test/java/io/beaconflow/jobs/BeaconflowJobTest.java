package io.beaconflow.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.jobs.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The production job's start-up checks on the shipped configuration file. */
class BeaconflowJobTest {
    private static final String SHIPPED = "../flink-conf/beaconflow.yaml";

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
        assertThat(
                        BeaconflowJob.loadConfig(
                                        SHIPPED,
                                        Map.of("BEACONFLOW_USER_ID_SALT", "5e1d2f0a9c")::get)
                                .ingest
                                .privacy
                                .userIdSalt)
                .isEqualTo("5e1d2f0a9c");
    }
}
