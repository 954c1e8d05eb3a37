package io.beaconflow.jobs.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two `evaluate` commands sharing a {@code --cache} may record the same file and seed at once: each
 * writes its own staging folder, and the first to finish publishes the recording.
 */
class DetectionRecordingPublishTest {
    private static final List<String> FILES =
            List.of(
                    DetectionRecording.METRICS,
                    DetectionRecording.ACTIVITY,
                    DetectionRecording.ERRORS);

    @TempDir Path cache;

    /** What a recording run leaves before its commit: the three files under temporary names. */
    private static Path staged(Path dir, String content) throws IOException {
        Path staging = DetectionRecording.staging(dir);
        Files.createDirectories(staging);
        for (String f : FILES) {
            Files.writeString(staging.resolve(f + ".tmp"), content);
        }
        return staging;
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoRunsOfOneRecordingStageApartAndTheFirstToFinishPublishes() throws IOException {
        Path dir = cache.resolve("dev-1.yaml-seed1-abc");
        Path first = staged(dir, "first");
        Path second = staged(dir, "second");
        assertThat(first).isNotEqualTo(second);
        assertThat(first.getParent()).isEqualTo(cache);

        DetectionRecording.publish(second, dir);
        assertThat(DetectionRecording.complete(dir)).isTrue();
        DetectionRecording.publish(first, dir);

        assertThat(entries()).containsExactly("dev-1.yaml-seed1-abc");
        for (String f : FILES) {
            assertThat(Files.readString(dir.resolve(f))).isEqualTo("second");
        }
    }

    @Test
    void aRecordingLeftIncompleteInPlaceIsReplaced() throws IOException {
        Path dir = cache.resolve("dev-2.yaml-seed3-def");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(DetectionRecording.METRICS + ".tmp"), "interrupted");
        assertThat(DetectionRecording.complete(dir)).isFalse();

        DetectionRecording.publish(staged(dir, "whole"), dir);

        assertThat(entries()).containsExactly("dev-2.yaml-seed3-def");
        assertThat(DetectionRecording.complete(dir)).isTrue();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactlyElementsOf(FILES.stream().sorted().toList());
        }
    }
}
