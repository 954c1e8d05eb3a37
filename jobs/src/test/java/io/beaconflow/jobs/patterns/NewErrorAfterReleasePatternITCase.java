package io.beaconflow.jobs.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.testing.MiniClusters;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The new-error pattern in event time on a MiniCluster, input shuffled within the watermark bound:
 * only fingerprints first seen on the new release, after its first window and within after-release,
 * alert; one release may bring several.
 */
class NewErrorAfterReleasePatternITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(1);

    static final long T0 = Instant.parse("2026-11-02T08:00:00Z").toEpochMilli();
    static final long M = 60_000;

    static Finding releaseSeen(String release, int minute) {
        Finding f = new Finding();
        f.kind = Finding.RELEASE_SEEN;
        f.app = "shop";
        f.release = release;
        f.dimension = "release";
        f.dimensionValue = release;
        f.series = "shop|release|" + release;
        f.firstWindowStart = T0 + minute * M;
        f.lastWindowEnd = f.firstWindowStart + M;
        f.at = f.lastWindowEnd - 1;
        return f;
    }

    static Finding spread(String fingerprint, String release, int firstMinute, int atMinute) {
        Finding f = new Finding();
        f.kind = Finding.ERROR_SPREAD;
        f.app = "shop";
        f.release = release;
        f.key = "shop|error_fingerprint|" + fingerprint + "|error_sessions";
        f.dimension = "error_fingerprint";
        f.dimensionValue = fingerprint;
        f.metric = "error_sessions";
        f.metricKind = Finding.NEW_ERROR;
        f.firstWindowStart = T0 + firstMinute * M;
        f.lastWindowEnd = T0 + (atMinute + 1) * M;
        f.at = f.lastWindowEnd - 1;
        f.observed = 12;
        f.related.add("browser=Safari");
        return f;
    }

    @Test
    void onlyFingerprintsFirstSeenOnTheNewReleaseAfterItsRolloutAlert() throws Exception {
        List<Finding> in =
                List.of(
                        spread("old-before-release", "shop@2.5.0", 5, 12),
                        releaseSeen("shop@2.5.0", 10),
                        spread("new-a", "shop@2.5.0", 10, 10), // same minute as the rollout
                        spread("new-b", "shop@2.5.0", 25, 31),
                        spread("other-release", "shop@2.4.0", 20, 26),
                        spread("too-late", "shop@2.5.0", 75, 80));
        List<Finding> out =
                PatternsITCase.run(
                        PatternsITCase.FINDINGS,
                        in,
                        s ->
                                NewErrorAfterReleasePattern.apply(
                                        s, Duration.ofMinutes(60), Duration.ofMinutes(30)));
        assertThat(out)
                .extracting(f -> f.dimensionValue)
                .containsExactlyInAnyOrder("new-a", "new-b");
        assertThat(out)
                .allSatisfy(
                        f -> {
                            assertThat(f.kind).isEqualTo(Finding.NEW_ERROR);
                            assertThat(f.release).isEqualTo("shop@2.5.0");
                            assertThat(f.related)
                                    .containsExactly("browser=Safari", "shop|release|shop@2.5.0");
                        });
    }
}
