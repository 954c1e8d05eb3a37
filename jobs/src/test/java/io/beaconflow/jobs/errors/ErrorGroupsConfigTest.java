package io.beaconflow.jobs.errors;

import static io.beaconflow.jobs.testing.ConfigFiles.assertRejected;
import static io.beaconflow.jobs.testing.ConfigFiles.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.config.BeaconflowConfig;
import io.beaconflow.jobs.testing.ConfigFiles;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorGroupsConfigTest {
    @Test
    void theShippedFileSetsTheDefaults() {
        BeaconflowConfig c = ConfigFiles.shipped();
        assertThat(c.errors)
                .usingRecursiveComparison()
                .comparingOnlyFields(
                        "idleTtl",
                        "maxTrackedIds",
                        "maxListedValues",
                        "newError.minSessions",
                        "newError.within",
                        "newError.afterRelease",
                        "newError.quiet")
                .isEqualTo(new ErrorGroupsConfig());
    }

    @Test
    void keysAreReadAndBadValuesAreErrorsNamingTheKeyAndTheFix() {
        BeaconflowConfig c =
                parse("errors:\n  new-error:\n    min-sessions: 25\n    within: 15m\n");
        assertThat(c.errors.newError.minSessions).isEqualTo(25);
        assertThat(c.errors.newError.within).isEqualTo(Duration.ofMinutes(15));

        assertRejected(
                "errors:\n  new-error:\n    min-sessions: 0\n",
                "errors.new-error.min-sessions",
                "Fix: set e.g. 10");
        assertRejected(
                () ->
                        parse(
                                "errors:\n  max-tracked-ids: 5\n  new-error:\n"
                                        + "    min-sessions: 10\n"),
                "errors.new-error.min-sessions",
                "errors.max-tracked-ids = 5");
        assertRejected(
                "errors:\n  idle-ttl: 10m\n",
                "errors.new-error.quiet",
                "shorter than errors.idle-ttl");
        assertRejected("errors:\n  new-error:\n    within: 0s\n", "errors.new-error.within");
        assertRejected("errors:\n  new-eror: {}\n", "unknown key 'errors.new-eror'");
    }
}
