package io.beaconflow.detectors.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.beaconflow.detectors.RepoRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NabScorerTest {
    static final Path NAB = findNab();
    static List<NabFile> files;

    static Path findNab() {
        return RepoRoot.containing("data/nab/data").resolve("data/nab");
    }

    @BeforeAll
    static void load() throws IOException {
        files = NabDataset.load(NAB.resolve("data"), NAB.resolve("labels/combined_windows.json"));
    }

    private static double[] referenceScores(NabFile f) throws IOException {
        return NabRunner.readScores(
                NAB.resolve("reference/windowedGaussian")
                        .resolve(f.category())
                        .resolve("windowedGaussian_" + f.baseName() + ".csv"));
    }

    @Test
    void theDatasetHas34FilesWith121702RowsAnd50Windows() {
        assertThat(files).hasSize(34);
        assertThat(files.stream().mapToInt(NabFile::rows).sum()).isEqualTo(121_702);
        assertThat(files.stream().mapToInt(f -> f.windows().size()).sum()).isEqualTo(50);
    }

    @Test
    void probationMatchesTheReadmeExamples() {
        assertThat(NabScorer.probation(4032)).isEqualTo(604);
        assertThat(NabScorer.probation(1624)).isEqualTo(243);
        assertThat(NabScorer.probation(1243)).isEqualTo(186);
        assertThat(NabScorer.probation(6000)).isEqualTo(750);
        assertThat(NabScorer.sigma(-1)).isCloseTo(0.9866142982, within(1e-10));
    }

    @Test
    void everyFileOfTheWindowedGaussianReferenceScoresAsNabsOfficialScorer() throws IOException {
        Map<String, String[]> expected = new HashMap<>();
        for (String line :
                Files.readAllLines(NAB.resolve("reference/windowedGaussian_per_file_scores.csv"))) {
            String[] c = line.split(",");
            expected.put(c[0] + "|" + c[4], c);
        }
        int checked = 0;
        for (NabProfile p : NabProfile.load(NAB.resolve("config/profiles.json"))) {
            for (NabFile f : files) {
                boolean[] d = NabRunner.detections(referenceScores(f), 1.0);
                NabScorer.FileScore s = NabScorer.score(f.rows(), f.windows(), d, p);
                String[] e = expected.get(f.relativePath() + "|" + p.name());
                assertThat(e).as(f.relativePath()).isNotNull();
                assertThat(NabScorer.probation(f.rows())).isEqualTo(Integer.parseInt(e[2]));
                assertThat(s.raw())
                        .as(f.relativePath() + " " + p.name())
                        .isCloseTo(Double.parseDouble(e[6]), within(1e-6));
                assertThat(new long[] {s.tp(), s.fp(), s.fn(), s.tn()})
                        .as(f.relativePath() + " " + p.name())
                        .containsExactly(
                                Long.parseLong(e[7]),
                                Long.parseLong(e[8]),
                                Long.parseLong(e[9]),
                                Long.parseLong(e[10]));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 * 34);
    }

    @Test
    void theWindowedGaussianReferenceNormalisesToTheReadmeFigures() throws IOException {
        Map<String, Double> normalized = new HashMap<>();
        for (NabProfile p : NabProfile.defaults()) {
            NabScorer.FileScore total = NabScorer.FileScore.ZERO;
            for (NabFile f : files) {
                total =
                        total.plus(
                                NabScorer.score(
                                        f.rows(),
                                        f.windows(),
                                        NabRunner.detections(referenceScores(f), 1.0),
                                        p));
            }
            normalized.put(p.name(), NabScorer.normalize(total.raw(), total.windows(), p));
            if (p.name().equals("standard")) {
                assertThat(total.raw()).isCloseTo(-15.016899, within(1e-6));
                assertThat(new long[] {total.tp(), total.fp(), total.fn(), total.tn()})
                        .containsExactly(269, 170, 9421, 93611);
            }
        }
        assertThat(normalized.get("standard")).isCloseTo(34.983101, within(1e-6));
        assertThat(normalized.get("reward_low_FP_rate")).isCloseTo(16.661715, within(1e-6));
        assertThat(normalized.get("reward_low_FN_rate")).isCloseTo(42.655400, within(1e-6));
    }

    @Test
    void aDetectorFlaggingOnlyTheFirstRowOfEveryWindowScores100AndOneNeverFiringScores0() {
        for (NabProfile p : NabProfile.defaults()) {
            NabScorer.FileScore perfect = NabScorer.FileScore.ZERO;
            NabScorer.FileScore silent = NabScorer.FileScore.ZERO;
            for (NabFile f : files) {
                boolean[] first = new boolean[f.rows()];
                f.windows().forEach(w -> first[w[0]] = true);
                perfect = perfect.plus(NabScorer.score(f.rows(), f.windows(), first, p));
                silent =
                        silent.plus(
                                NabScorer.score(f.rows(), f.windows(), new boolean[f.rows()], p));
            }
            assertThat(NabScorer.normalize(perfect.raw(), perfect.windows(), p))
                    .isCloseTo(100, within(1e-9));
            assertThat(NabScorer.normalize(silent.raw(), silent.windows(), p))
                    .isCloseTo(0, within(1e-9));
        }
    }

    @Test
    void falsePositiveCostsFollowTheReadmeTableAfterAWindowOf403Rows() {
        NabProfile standard = NabProfile.defaults().get(0);
        List<int[]> windows = new ArrayList<>(List.of(new int[] {1000, 1402}));
        assertThat(NabScorer.falsePositiveCost(windows, 0, 1403, standard))
                .isCloseTo(-0.00068, within(1e-5));
        assertThat(NabScorer.falsePositiveCost(windows, 0, 1402 + 201, standard))
                .isCloseTo(-0.09331, within(1e-5));
        assertThat(NabScorer.falsePositiveCost(windows, 0, 1402 + 1207, standard)).isEqualTo(-0.11);
        assertThat(NabScorer.falsePositiveCost(windows, -1, 10, standard)).isEqualTo(-0.11);
    }

    @Test
    void theThresholdOptimiserFindsThePerfectDetectorsThresholdAndRaw() {
        NabProfile standard = NabProfile.defaults().get(0);
        List<double[]> scores = new ArrayList<>();
        for (NabFile f : files) {
            double[] s = new double[f.rows()];
            java.util.Arrays.fill(s, 0.3);
            f.windows().forEach(w -> s[w[0]] = 0.9);
            scores.add(s);
        }
        double[] best = NabRunner.optimizeThreshold(files, scores, standard);
        assertThat(best[0]).isEqualTo(0.9);
        assertThat(best[1]).isCloseTo(50, within(1e-9));
    }
}
