package io.beaconflow.jobs.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.beaconflow.jobs.model.RawBeacon;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Pins the generator's output bytes: the traffic model is fixed ground for the team (detection is
 * tuned and judged on it), so a refactoring of {@link TrafficGenerator} must leave every record
 * identical. Each case hashes every rendered Kafka record (partition, offset, receivedAt and the
 * payload bytes, the malformed ones included) and the run's {@link GenerationStats} (its toString:
 * {@code incidentAffected()} alone is an immutable map whose iteration order changes from JVM to
 * JVM).
 *
 * <p>If a change to the traffic model is intended, the new hashes are in the failure message; say
 * why in the commit, because every detection figure measured before it is then stale.
 */
class TrafficGeneratorGoldenTest {
    private static final Path INCIDENTS = Path.of("..", "flink-conf", "incidents");
    private static final Path SCENARIOS = Path.of("src", "test", "resources", "generator-golden");

    /** The shipped config with another incidents file (relative paths as in the repo). */
    private static GeneratorConfig withIncidents(Path file, String duration) {
        return GeneratedTraffic.shipped()
                .withIncidents(GeneratorConfig.loadIncidents(file))
                .withDuration(duration);
    }

    /** Hash of every record and of the stats, plus the record count, as one line. */
    private static String fingerprint(Iterator<RawBeacon> records, Supplier<GenerationStats> stats)
            throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer header = ByteBuffer.allocate(24);
        long count = 0;
        long malformed = 0;
        while (records.hasNext()) {
            RawBeacon b = records.next();
            header.clear();
            header.putInt(b.partition)
                    .putLong(b.offset)
                    .putLong(b.receivedAt)
                    .putInt(b.payload.length);
            md.update(header.array());
            md.update(b.payload);
            count++;
        }
        GenerationStats s = stats.get();
        malformed = s.malformedRecords();
        md.update(s.toString().getBytes(StandardCharsets.UTF_8));
        return count + " records, " + malformed + " malformed, " + hex(md.digest());
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    private static String merged(GeneratorConfig config, long seed) throws Exception {
        TrafficGenerator.Merged all = TrafficGenerator.generateAll(config, seed, config.splits);
        return fingerprint(all, all::stats);
    }

    private static String split(GeneratorConfig config, long seed, int index, int count)
            throws Exception {
        TrafficGenerator g = new TrafficGenerator(config, seed, index, count);
        return fingerprint(g, g::stats);
    }

    /** Split {@code index} of eight of two days with the incidents of {@code file}. */
    private static String eighthOfTwoDays(Path file, long seed, int index) throws Exception {
        return split(withIncidents(file, "2d"), seed, index, 8);
    }

    @Test
    void theDemoRunForSeed42IsByteIdentical() throws Exception {
        // ./beaconflow demo --duration 2h --seed 42: the shipped config, all splits merged.
        GeneratorConfig demo = GeneratedTraffic.shipped();
        assertThat(merged(demo, 42))
                .isEqualTo("107018 records, 182 malformed, 21aafac938a3a6e21e5e11a62bb85adc");
    }

    @Test
    void otherSeedsAndSplitsOfTheDemoAreByteIdentical() throws Exception {
        GeneratorConfig demo = GeneratedTraffic.shipped();
        assertThat(List.of(split(demo, 7, 1, 4), split(demo, 20261102L, 2, 3)))
                .containsExactly(
                        "27386 records, 46 malformed, e3546a7b5d02bcbe7269b14adddec2f4",
                        "36935 records, 64 malformed, b7faa6f77b2ca5a7d49c96b6a03f7a22");
    }

    @Test
    void everyIncidentKindOfTheEvalFilesIsByteIdentical() throws Exception {
        // eval-1 has all seven kinds; one split in eight of two days keeps the test short.
        assertThat(
                        List.of(
                                eighthOfTwoDays(INCIDENTS.resolve("eval/eval-1.yaml"), 1, 3),
                                eighthOfTwoDays(INCIDENTS.resolve("eval/eval-2.yaml"), 2, 5),
                                eighthOfTwoDays(INCIDENTS.resolve("eval/eval-3.yaml"), 3, 0)))
                .containsExactly(
                        "255933 records, 427 malformed, 6cd42f6f5723c8963582ba542413191f",
                        "259313 records, 437 malformed, b00de4a2419c17a319481b3de7938fb8",
                        "255280 records, 484 malformed, 969f57023d4a30eb42d05a5a89356cfd");
    }

    @Test
    void theSharedScenarioFilesAreByteIdentical() throws Exception {
        // Copies of /work/shared/scenarios dev-1 and dev-2 (the team's development set).
        assertThat(
                        List.of(
                                eighthOfTwoDays(SCENARIOS.resolve("dev-1.yaml"), 1, 2),
                                eighthOfTwoDays(SCENARIOS.resolve("dev-2.yaml"), 2, 7)))
                .containsExactly(
                        "255159 records, 468 malformed, ee8ecd8625cd42a6d14f96d8fee29a6c",
                        "253200 records, 483 malformed, 5057aae8daf5a016d8677ba15d0c584f");
    }

    @Test
    void rareRealismPathsAreByteIdentical() throws Exception {
        // Every imperfection made common, so malformed, retried, late, single-event, skewed, bot,
        // idle-resume and rage-click paths are each hit thousands of times.
        GeneratorConfig c = GeneratedTraffic.shipped().withDuration("1h");
        c.realism.malformedRate = 0.3;
        c.realism.duplicateRate = 0.2;
        c.realism.lateRate = 0.2;
        c.realism.singleEventRate = 0.3;
        c.realism.clockSkewRate = 0.3;
        c.realism.botRate = 0.2;
        c.behaviour.idleResumeRate = 0.2;
        c.behaviour.rageClickRate = 0.3;
        c.behaviour.longSessionRate = 0.1;
        c.behaviour.fetchFailureRate = 0.2;
        c.behaviour.errorRatePerView = 0.3;
        assertThat(split(c, 99, 1, 4))
                .isEqualTo("37289 records, 4754 malformed, 7ec7981e8bb98f66011730fd74a79313");
    }
}
