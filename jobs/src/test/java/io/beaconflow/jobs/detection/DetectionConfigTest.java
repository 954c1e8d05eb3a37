package io.beaconflow.jobs.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.config.ConfigException;
import io.beaconflow.jobs.config.BeaconflowConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectionConfigTest {
    /**
     * Validating {@code c} fails with one problem per text in {@code named}, all in one message.
     */
    static void assertProblemsNamedAllAtOnce(DetectionConfig c, String... named) {
        var thrown = assertThatThrownBy(() -> c.validate("x.yaml"));
        for (String text : named) thrown.hasMessageContaining(text);
        thrown.satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(named.length));
    }

    @Test
    void theDefaultsAreValid() {
        DetectionConfig c = new DetectionConfig();
        c.validate("beaconflow.yaml");
        assertThat(c.windows(Duration.ofMinutes(5))).isEqualTo(5);
    }

    @Test
    void moreAnomaliesThanWindowsIsRejectedNamingTheKeyAndTheFix() {
        DetectionConfig c = new DetectionConfig();
        c.sustained.anomalies = 4;
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("beaconflow.yaml")
                .hasMessageContaining("detection.sustained.windows")
                .hasMessageContaining("Fix:");
    }

    @Test
    void aNegativeStateCacheIsRejectedNamingTheKeyAndTheFix() {
        DetectionConfig c = new DetectionConfig();
        c.stateCache = -1;
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("detection.state-cache")
                .hasMessageContaining("0 = off");
        c.stateCache = 0;
        c.validate("beaconflow.yaml");
        c.frustration.stateCache = -5;
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .hasMessageContaining("detection.frustration.state-cache")
                .hasMessageContaining("e.g. 10000, 0 = off");
    }

    @Test
    void aBadKibanaUrlIsRejected() {
        DetectionConfig c = new DetectionConfig();
        c.alerting.kibanaUrl = "localhost:5601";
        assertThatThrownBy(() -> c.validate("beaconflow.yaml"))
                .hasMessageContaining("detection.alerting.kibana-url")
                .hasMessageContaining("http://localhost:5601");
    }

    @Test
    void segmentShareMistakesAreNamedAllAtOnce() {
        DetectionConfig c = new DetectionConfig();
        c.segmentShare.margin = 1.2;
        c.segmentShare.dimensions = java.util.List.of("country", "planet");
        c.segmentShare.maxWindows = 100;
        c.segmentShare.silenceZThreshold = 0;
        assertProblemsNamedAllAtOnce(
                c,
                "detection.segment-share.margin",
                "unknown dimension 'planet'",
                "detection.segment-share.max-windows",
                "detection.segment-share.silence-z-threshold");
    }

    @Test
    void errorSurgeMistakesAreNamedAllAtOnceAndTheSpecIsPerWindow() {
        DetectionConfig c = new DetectionConfig();
        c.errorSurge.minRatio = 0.5;
        c.errorSurge.minSessions = 0;
        c.errorSurge.newErrorSessionsPerDay = 0;
        assertProblemsNamedAllAtOnce(
                c,
                "detection.error-surge.min-ratio",
                "detection.error-surge.min-sessions",
                "detection.error-surge.new-error-sessions-per-day");
        DetectionConfig shipped = new DetectionConfig();
        // one session a day is 1/1440 per one-minute window
        assertThat(shipped.errorSurge.spec(java.time.Duration.ofMinutes(1)).newRate())
                .isCloseTo(1.0 / 1440, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aFrustrationScoreBelowTheAnomalyLevelIsRejected() {
        DetectionConfig c = new DetectionConfig();
        c.frustration.minScore = 0.3;
        assertThatThrownBy(() -> c.validate("x.yaml"))
                .hasMessageContaining("detection.frustration.min-score");
    }

    @Test
    void aFileWithSeveralDetectionMistakesNamesEveryOneWithItsLineKeyAndFix() {
        // Detection's checks threw on their first problem: this edit took five runs to fix.
        String yaml =
                "ingest:\n"
                        + "  privacy:\n"
                        + "    user-id-salt: s\n"
                        + "detection:\n"
                        + "  specs-poll-interval: -5s\n"
                        + "  sustained:\n"
                        + "    anomalies: 4\n"
                        + "    windows: 3\n"
                        + "  frustration:\n"
                        + "    min-score: 0.3\n"
                        + "  alerting:\n"
                        + "    kibana-url: localhost:5601\n"
                        + "    hint-windows: 0\n";
        assertThatThrownBy(
                        () ->
                                BeaconflowConfig.parse(
                                        yaml, "bad.yaml", Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("5 problems in bad.yaml:")
                .hasMessageContaining(
                        "bad.yaml line 5: detection.specs-poll-interval: must be a duration ≥ 0"
                                + " (got -5s). Fix: set e.g. 5s, 0s = never")
                .hasMessageContaining(
                        "bad.yaml line 8: detection.sustained.windows: must be at least 4 (got 3)."
                                + " Fix: set a number >= sustained.anomalies, e.g. 5")
                .hasMessageContaining(
                        "bad.yaml line 10: detection.frustration.min-score: must be in [0.5, 1)"
                                + " (got 0.3). Fix: set e.g. 0.67")
                .hasMessageContaining(
                        "bad.yaml line 12: detection.alerting.kibana-url: must be an http(s) URL"
                                + " (got localhost:5601). Fix: set e.g. http://localhost:5601")
                .hasMessageContaining(
                        "bad.yaml line 13: detection.alerting.hint-windows: must be at least 1"
                                + " (got 0). Fix: set e.g. 5")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(5));
    }

    @Test
    void aNestedSectionSetToNullInCodeIsNamedInsteadOfFailingWithANullPointer() {
        // From a file an empty nested key means its defaults (ConfigYaml skips nulls); settings
        // built in code can still leave one out.
        DetectionConfig c = new DetectionConfig();
        c.sustained = null;
        c.alerting.maxHints = -1;
        assertThatThrownBy(() -> c.validate("code"))
                .hasMessageStartingWith("2 problems in code:")
                .hasMessageContaining(
                        "code: detection.sustained: must be a section. Fix: remove the key for the"
                                + " defaults, or give its settings")
                .hasMessageContaining(
                        "code: detection.alerting.max-hints: must be at least 0 (got -1)");
    }

    @Test
    void anEmptyNestedKeyInAFileMeansItsDefaults() {
        String yaml =
                "ingest:\n  privacy:\n    user-id-salt: s\n"
                        + "detection:\n  sustained:\n  alerting:\n";
        BeaconflowConfig c = BeaconflowConfig.parse(yaml, "ok.yaml", Map.<String, String>of()::get);
        assertThat(c.detection.sustained.windows).isEqualTo(3);
        assertThat(c.detection.alerting.maxHints).isEqualTo(AlertingConfig.DEFAULT_MAX_HINTS);
    }

    @Test
    void settingsBuiltInCodeAreCheckedAllAtOnceToo() {
        DetectionConfig c = new DetectionConfig();
        c.release.watch = Duration.ZERO;
        c.alerting.criticalScore = 2;
        c.alerting.dashboardId = " ";
        assertThatThrownBy(() -> c.validate("code"))
                .hasMessageStartingWith("3 problems in code:")
                .hasMessageContaining("code: detection.release.watch: must be a duration > 0")
                .hasMessageContaining(
                        "code: detection.alerting.critical-score: must be in (0.5, 1]")
                .hasMessageContaining("code: detection.alerting.dashboard-id: must not be empty");
    }
}
