package io.beaconflow.jobs.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.testing.ConfigFiles;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorGroupsConfigTest {
    static BeaconflowConfig parse(String yaml) {
        return ConfigFiles.parse(yaml);
    }

    @Test
    void theShippedFileSetsTheDefaults() {
        BeaconflowConfig c = ConfigFiles.shipped();
        ErrorGroupsConfig d = new ErrorGroupsConfig();
        assertThat(c.errors.idleTtl).isEqualTo(d.idleTtl);
        assertThat(c.errors.maxTrackedIds).isEqualTo(d.maxTrackedIds);
        assertThat(c.errors.maxListedValues).isEqualTo(d.maxListedValues);
        assertThat(c.errors.newError.minSessions).isEqualTo(d.newError.minSessions);
        assertThat(c.errors.newError.within).isEqualTo(d.newError.within);
        assertThat(c.errors.newError.afterRelease).isEqualTo(d.newError.afterRelease);
        assertThat(c.errors.newError.quiet).isEqualTo(d.newError.quiet);
    }

    @Test
    void keysAreReadAndBadValuesAreErrorsNamingTheKeyAndTheFix() {
        BeaconflowConfig c =
                parse("errors:\n  new-error:\n    min-sessions: 25\n    within: 15m\n");
        assertThat(c.errors.newError.minSessions).isEqualTo(25);
        assertThat(c.errors.newError.within).isEqualTo(Duration.ofMinutes(15));

        assertThatThrownBy(() -> parse("errors:\n  new-error:\n    min-sessions: 0\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("errors.new-error.min-sessions")
                .hasMessageContaining("Fix: set e.g. 10");
        assertThatThrownBy(
                        () ->
                                parse(
                                        "errors:\n  max-tracked-ids: 5\n  new-error:\n"
                                                + "    min-sessions: 10\n"))
                .hasMessageContaining("errors.new-error.min-sessions")
                .hasMessageContaining("errors.max-tracked-ids = 5");
        assertThatThrownBy(() -> parse("errors:\n  idle-ttl: 10m\n"))
                .hasMessageContaining("errors.new-error.quiet")
                .hasMessageContaining("shorter than errors.idle-ttl");
        assertThatThrownBy(() -> parse("errors:\n  new-error:\n    within: 0s\n"))
                .hasMessageContaining("errors.new-error.within");
        assertThatThrownBy(() -> parse("errors:\n  new-eror: {}\n"))
                .hasMessageContaining("unknown key 'errors.new-eror'");
    }
}
