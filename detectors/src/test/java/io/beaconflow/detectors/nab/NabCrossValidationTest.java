package io.beaconflow.detectors.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beaconflow.detectors.spec.SpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NabCrossValidationTest {
    private static final String SPEC =
            """
            nab:
              scales: [1]
            version: 1
            metrics:
              value:
                kind: generic
                z_threshold: 4
                novelty: { half_life: 1000, ratio: 1.1 }
            """;

    /** A file with no rows of its own that matter here: folds only look at paths. */
    private static NabFile file(String path, int... window) {
        List<int[]> windows = new ArrayList<>();
        if (window.length == 2) {
            windows.add(window);
        }
        return new NabFile(
                path,
                new String[1000],
                new long[1000],
                new String[1000],
                new double[1000],
                windows);
    }

    private static List<NabFile> corpus() {
        List<NabFile> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(file("artificialNoAnomaly/a" + i + ".csv"));
        }
        for (int i = 0; i < 17; i++) {
            files.add(file("realAWSCloudwatch/c" + i + ".csv", 500, 600));
        }
        for (int i = 0; i < 6; i++) {
            files.add(file("realAdExchange/x" + i + ".csv", 500, 600));
        }
        return files;
    }

    @Test
    void foldsAreBalancedStratifiedByCategoryAndDeterministicForASeed() {
        List<NabFile> files = corpus();
        int[] a = NabCrossValidation.folds(files, 5, 1);
        assertThat(NabCrossValidation.folds(files, 5, 1)).isEqualTo(a);
        assertThat(NabCrossValidation.folds(files, 5, 2)).isNotEqualTo(a);

        int[] size = new int[5];
        for (int f : a) {
            size[f]++;
        }
        assertThat(Arrays.stream(size).max().getAsInt() - Arrays.stream(size).min().getAsInt())
                .isLessThanOrEqualTo(1);
        // every category with at least k files has a file in every fold
        for (String category :
                List.of("artificialNoAnomaly", "realAWSCloudwatch", "realAdExchange")) {
            Set<Integer> folds = new HashSet<>();
            for (int f = 0; f < files.size(); f++) {
                if (files.get(f).category().equals(category)) {
                    folds.add(a[f]);
                }
            }
            assertThat(folds).as(category).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        }
        // and the order the files are listed in does not matter
        List<NabFile> reversed = new ArrayList<>(files);
        java.util.Collections.reverse(reversed);
        int[] b = NabCrossValidation.folds(reversed, 5, 1);
        for (int f = 0; f < files.size(); f++) {
            assertThat(b[files.size() - 1 - f]).isEqualTo(a[f]);
        }
    }

    @Test
    void foldCountsOutsideTwoToTheNumberOfFilesAreRefused() {
        assertThatThrownBy(() -> NabCrossValidation.folds(corpus(), 1, 1))
                .hasMessageContaining("--cv 1");
        assertThatThrownBy(() -> NabCrossValidation.folds(corpus(), 29, 1))
                .hasMessageContaining("(28)");
    }

    @Test
    void aGridPointIsWrittenIntoTheSpecAndLoadedWithItsValidation() {
        Map<String, Object> setting = new LinkedHashMap<>();
        setting.put("nab.scales", List.of(1, 12));
        setting.put("z_threshold", 3.5);
        setting.put("novelty.half_life", 2000);
        NabSpec s = NabCrossValidation.apply(SPEC, "s.yaml", "value", setting);
        assertThat(s.scales()).containsExactly(1, 12);
        assertThat(s.spec().zThreshold()).isEqualTo(3.5);
        assertThat(s.spec().noveltyHalfLife()).isEqualTo(2000);
        assertThat(s.spec().noveltyRatio()).isEqualTo(1.1); // untouched knobs stay

        assertThatThrownBy(
                        () ->
                                NabCrossValidation.apply(
                                        SPEC, "s.yaml", "value", Map.of("z_treshold", 3)))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("z_treshold");
        assertThatThrownBy(
                        () ->
                                NabCrossValidation.apply(
                                        SPEC, "s.yaml", "value", Map.of("nab.scales", List.of(0))))
                .hasMessageContaining("nab.scales");
    }

    @Test
    void theGridIsEveryCombinationFirstKnobSlowest() {
        NabCrossValidation.Grid g =
                NabCrossValidation.Grid.parse(
                        "knobs:\n  z_threshold: [3, 4]\n  nab.scales: [[1], [1, 12], [1, 48]]\n",
                        "g.yaml");
        List<Map<String, Object>> p = g.points();
        assertThat(p).hasSize(6);
        assertThat(p.get(0)).isEqualTo(Map.of("z_threshold", 3, "nab.scales", List.of(1)));
        assertThat(p.get(5)).isEqualTo(Map.of("z_threshold", 4, "nab.scales", List.of(1, 48)));

        assertThatThrownBy(() -> NabCrossValidation.Grid.parse("z_threshold: [3]\n", "g.yaml"))
                .hasMessageContaining("knobs");
        assertThatThrownBy(
                        () -> NabCrossValidation.Grid.parse("knobs:\n  z_threshold: 3\n", "g.yaml"))
                .hasMessageContaining("knobs.z_threshold");
    }

    @Test
    void eachFoldIsScoredWithTheSettingBestOnTheOtherFoldsNotOnItself() {
        // 4 files, 2 folds ({0, 2} and {1, 3}), 2 settings. Setting 1 is better on fold 0 and
        // setting 0 on fold 1, so choosing on the held-out fold itself would score 2 + 2 = 4;
        // honest selection scores each fold with the other fold's winner: -1 + 0 = -1.
        List<NabFile> files =
                List.of(file("c/a.csv"), file("c/b.csv"), file("c/c.csv"), file("c/d.csv"));
        int[] fold = {0, 1, 0, 1};
        double[][][] raw = new double[2][4][1];
        raw[0][0][0] = -1; // setting 0: bad on fold 0, good on fold 1
        raw[0][2][0] = 0;
        raw[0][1][0] = 1;
        raw[0][3][0] = 1;
        raw[1][0][0] = 1; // setting 1: good on fold 0, worse on fold 1
        raw[1][2][0] = 1;
        raw[1][1][0] = 0;
        raw[1][3][0] = 0;
        NabCrossValidation.Table t =
                new NabCrossValidation.Table(
                        List.of(Map.of("z_threshold", 3), Map.of("z_threshold", 4)),
                        files,
                        raw,
                        new int[] {1, 1, 1, 1});
        List<NabCrossValidation.FoldResult> r = NabCrossValidation.crossValidate(t, fold, 2, 0);
        assertThat(r.get(0).chosen()).isEqualTo(0); // trained on fold 1, where setting 0 wins
        assertThat(r.get(0).testRaw()).isEqualTo(-1);
        assertThat(r.get(1).chosen()).isEqualTo(1);
        assertThat(r.get(1).testRaw()).isEqualTo(0);
        assertThat(r.get(0).testWindows()).isEqualTo(2);
        assertThat(NabCrossValidation.inSampleRaw(t, 1, 0)).isEqualTo(2);
    }
}
