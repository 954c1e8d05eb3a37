package io.beaconflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The evaluation cache replays recorded metric rows: a config change that only affects scoring must
 * hit the same recording, one that shapes the rows must not.
 */
class EvaluateCacheKeyTest {
    private static final Path SHIPPED = Path.of("../flink-conf/beaconflow.yaml");

    private static String part(String yaml) {
        return new String(
                RecordingKey.recordedPart(yaml.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
    }

    private static String shipped() throws Exception {
        return Files.readString(SHIPPED);
    }

    @Test
    void scoringSettingsAndTheirCommentsDoNotChangeTheRecordedPart() throws Exception {
        String base = shipped();
        assertThat(base).contains("  zero-fill: 0s\n").contains("    anomalies: 2\n");
        String edited =
                base.replace("  zero-fill: 0s\n", "  # opted in\n  zero-fill: 60m\n")
                        .replace("    normal-windows: 3\n", "    normal-windows: 5\n");
        assertThat(edited).isNotEqualTo(base);
        assertThat(part(edited)).isEqualTo(part(base));
    }

    @Test
    void comparisonSettingsDoNotChangeTheRecordedPart() throws Exception {
        String base = shipped();
        assertThat(base).contains("  min-samples-per-arm: 50\n");
        String edited = base.replace("  min-samples-per-arm: 50\n", "  min-samples-per-arm: 80\n");
        assertThat(part(edited)).isEqualTo(part(base));
    }

    @Test
    void settingsThatShapeTheRowsChangeIt() throws Exception {
        String base = shipped();
        assertThat(base).contains("    burst-clicks: 3\n").contains("\n  window: 1m\n");
        assertThat(part(base.replace("    burst-clicks: 3\n", "    burst-clicks: 4\n")))
                .isNotEqualTo(part(base));
        // Any key outside the detection section is kept whole (values, not formatting).
        assertThat(part(base.replace("\n  window: 1m\n", "\n  window: 2m\n")))
                .isNotEqualTo(part(base));
    }

    @Test
    void aFileThatDoesNotParseIsTakenWhole() {
        String broken = "detection: [unclosed\n";
        assertThat(part(broken)).isEqualTo(broken);
    }

    @Test
    void theKeyNamesScenarioAndSeedAndChangesWithEveryInputThatShapesTheRows(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path scenario = Files.writeString(dir.resolve("spike.yaml"), "incidents: []\n");
        Path config = Files.writeString(dir.resolve("job.yaml"), shipped());
        Path generator = Files.writeString(dir.resolve("gen.yaml"), "seed: 1\n");
        String key = RecordingKey.of("spike.yaml", scenario, 2, "2d", config, generator);
        assertThat(key).startsWith("spike.yaml-seed2-").hasSize("spike.yaml-seed2-".length() + 16);
        assertThat(RecordingKey.of("spike.yaml", scenario, 2, "2d", config, generator))
                .isEqualTo(key);
        assertThat(RecordingKey.of("spike.yaml", scenario, 3, "2d", config, generator))
                .doesNotEndWith(key.substring(key.length() - 16));
        assertThat(RecordingKey.of("spike.yaml", scenario, 2, "3d", config, generator))
                .isNotEqualTo(key);
        assertThat(RecordingKey.of("spike.yaml", scenario, 2, "2d", config, null))
                .isNotEqualTo(key);
        // A scoring-only edit of the job config replays the same recording.
        Files.writeString(config, shipped().replace("  zero-fill: 0s\n", "  zero-fill: 60m\n"));
        assertThat(RecordingKey.of("spike.yaml", scenario, 2, "2d", config, generator))
                .isEqualTo(key);
        Files.writeString(scenario, "incidents: [] # edited\n");
        assertThat(RecordingKey.of("spike.yaml", scenario, 2, "2d", config, generator))
                .isNotEqualTo(key);
    }
}
